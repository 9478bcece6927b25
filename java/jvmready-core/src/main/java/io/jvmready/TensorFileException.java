package io.jvmready;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file (or in-memory buffer) is not a valid npy, npz or safetensors file. The message names the
 * source and the problem in one sentence; nothing was read from a header that failed validation.
 */
public class TensorFileException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final String problem;

  /**
   * Creates the exception.
   *
   * @param source the file path, or a label such as {@code model.npz[ids.npy]}
   * @param problem what is wrong, e.g. {@code "header length 70000 runs past end of file"}
   */
  public TensorFileException(String source, String problem) {
    super(source + ": " + problem);
    this.source = source;
    this.problem = problem;
  }

  /**
   * Creates the exception for a file.
   *
   * @param path the file
   * @param problem what is wrong
   */
  public TensorFileException(Path path, String problem) {
    this(path.toString(), problem);
  }

  /**
   * Creates the exception with an underlying cause.
   *
   * @param source the file path or label
   * @param problem what is wrong
   * @param cause the underlying error
   */
  public TensorFileException(String source, String problem, Throwable cause) {
    this(source, problem);
    initCause(cause);
  }

  /**
   * The file path or label of the offending source.
   *
   * @return the source
   */
  public String source() {
    return source;
  }

  /**
   * What is wrong, without the source.
   *
   * @return the problem
   */
  public String problem() {
    return problem;
  }
}
