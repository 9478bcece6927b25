package io.jvmready.spark;

/**
 * A model input column holds a null and {@code passNulls} is off: a model cannot score a missing
 * value, and inventing one would score something the user never had.
 */
public class NullValueException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param column the DataFrame column
   * @param partition the Spark partition id
   * @param row the row index within the partition
   */
  public NullValueException(String column, int partition, long row) {
    super(
        "column '"
            + column
            + "', partition "
            + partition
            + ", row "
            + row
            + ": null (or a null element); drop or fill nulls first, or set passNulls=true"
            + " to leave that row's outputs null");
  }
}
