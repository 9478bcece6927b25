package io.jvmready.onnxruntime;

/**
 * ONNX Runtime failed while running a model on inputs that passed every check of {@link
 * ModelRunner}: the message names the model and the inputs given, followed by ONNX Runtime's own
 * message. The cause is the original {@code ai.onnxruntime.OrtException}.
 */
public class ModelRunException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was being run
   * @param cause ONNX Runtime's exception
   */
  public ModelRunException(String message, Throwable cause) {
    super(message, cause);
  }
}
