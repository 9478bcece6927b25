package io.jvmready.onnxruntime;

import io.jvmready.IntegerWidthException;

/**
 * An input value does not fit the integer type the model declares for that input. An {@link
 * IntegerWidthException} whose {@link #tensor()} is the input's name and whose message says so:
 * {@code input 'X': value 2147483653 at flat index 3 does not fit int32 (model declares
 * tensor(int32) [batch, 4])}.
 */
public class InputWidthException extends IntegerWidthException {
  private static final long serialVersionUID = 1L;

  private final String declared;

  /**
   * Creates the exception.
   *
   * @param input the input's name
   * @param index flat C-order index of the value
   * @param value the value, as text
   * @param targetType the declared element type, e.g. {@code "int32"}
   * @param declared the whole declaration, e.g. {@code "tensor(int32) [batch, 4]"}
   */
  public InputWidthException(
      String input, long index, String value, String targetType, String declared) {
    super(input, index, value, targetType);
    this.declared = declared;
  }

  /** The input's name (same as {@link #tensor()}). */
  public String input() {
    return tensor();
  }

  @Override
  public String getMessage() {
    return "input '"
        + tensor()
        + "': value "
        + value()
        + " at flat index "
        + index()
        + " does not fit "
        + targetType()
        + " (model declares "
        + declared
        + ")";
  }
}
