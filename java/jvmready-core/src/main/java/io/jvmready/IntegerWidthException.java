package io.jvmready;

/**
 * A value does not fit the narrower integer type it was asked for. Names the tensor, the flat
 * (C-order) index and the value, so the refusal can be acted on; never a silent wrap.
 */
public class IntegerWidthException extends ArithmeticException {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final String tensor;
  private final long index;
  private final String value;
  private final String targetType;

  /**
   * Creates the exception.
   *
   * @param tensor name of the tensor (or input/column) holding the value
   * @param index flat C-order index of the value
   * @param value the value, as text (it may be an unsigned 64-bit number)
   * @param targetType the type it does not fit, e.g. {@code "int32"}
   */
  public IntegerWidthException(String tensor, long index, String value, String targetType) {
    this("", tensor, index, value, targetType);
  }

  /**
   * Creates the exception for a tensor read from a file; the message starts with the file.
   *
   * @param source file path or label the tensor was read from ({@code ""} if none)
   * @param tensor name of the tensor holding the value
   * @param index flat C-order index of the value
   * @param value the value, as text (it may be an unsigned 64-bit number)
   * @param targetType the type it does not fit, e.g. {@code "int32"}
   */
  public IntegerWidthException(
      String source, String tensor, long index, String value, String targetType) {
    super(
        (source.isEmpty() ? "" : source + ": ")
            + "tensor '"
            + tensor
            + "': value "
            + value
            + " at flat index "
            + index
            + " does not fit "
            + targetType);
    this.source = source;
    this.tensor = tensor;
    this.index = index;
    this.value = value;
    this.targetType = targetType;
  }

  /**
   * The file path or label the tensor was read from.
   *
   * @return the source, or {@code ""} for tensors built in memory
   */
  public String source() {
    return source;
  }

  /** Name of the tensor holding the value. */
  public String tensor() {
    return tensor;
  }

  /** Flat C-order index of the value. */
  public long index() {
    return index;
  }

  /** The value that does not fit, as decimal text. */
  public String value() {
    return value;
  }

  /** The type the value does not fit. */
  public String targetType() {
    return targetType;
  }
}
