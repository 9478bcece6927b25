package io.jvmready.spark;

import io.jvmready.IntegerWidthException;

/**
 * A value in a DataFrame column does not fit the integer type the model input declares. Names the
 * column, the model input, the row (partition and row within it) and the value; the task fails
 * rather than scoring a wrapped value.
 */
public class ColumnValueException extends IntegerWidthException {
  private static final long serialVersionUID = 1L;

  private final String column;
  private final int partition;
  private final long row;
  private final String declared;

  /**
   * Creates the exception.
   *
   * @param column the DataFrame column
   * @param input the model input fed from it
   * @param partition the Spark partition id
   * @param row the row index within the partition
   * @param index the flat index of the value within the row's batch tensor
   * @param value the value, as text
   * @param targetType the declared element type, e.g. {@code "int32"}
   * @param declared the input's whole declaration, e.g. {@code "tensor(int32) [batch]"}
   */
  public ColumnValueException(
      String column,
      String input,
      int partition,
      long row,
      long index,
      String value,
      String targetType,
      String declared) {
    super(input, index, value, targetType);
    this.column = column;
    this.partition = partition;
    this.row = row;
    this.declared = declared;
  }

  /**
   * The DataFrame column holding the value.
   *
   * @return the column name
   */
  public String column() {
    return column;
  }

  /**
   * The Spark partition holding the row.
   *
   * @return the partition id
   */
  public int partition() {
    return partition;
  }

  /**
   * The row within its partition.
   *
   * @return the 0-based row index
   */
  public long row() {
    return row;
  }

  @Override
  public String getMessage() {
    return "column '"
        + column
        + "', partition "
        + partition
        + ", row "
        + row
        + ": value "
        + value()
        + " does not fit "
        + targetType()
        + " (model input '"
        + tensor()
        + "' declares "
        + declared
        + "); cast or filter the column, or give the model an int64 input";
  }
}
