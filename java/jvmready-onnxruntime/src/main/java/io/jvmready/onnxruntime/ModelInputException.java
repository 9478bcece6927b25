package io.jvmready.onnxruntime;

/**
 * An input value the model cannot take: unknown or missing name, wrong type, wrong shape. The
 * message names the input, what the model declares and what was given, e.g. {@code input 'X':
 * model declares tensor(int64) [batch, 4]; given int[3][5]}. Value range problems are {@link
 * io.jvmready.IntegerWidthException}s instead.
 */
public class ModelInputException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** The input concerned; may be empty when the problem is the set of inputs as a whole. */
  private final String input;

  /**
   * Creates the exception.
   *
   * @param input the input's name ({@code ""} if none in particular)
   * @param message the full message, naming the input
   */
  public ModelInputException(String input, String message) {
    super(message);
    this.input = input;
  }

  /** The name of the input concerned ({@code ""} if none in particular). */
  public String input() {
    return input;
  }
}
