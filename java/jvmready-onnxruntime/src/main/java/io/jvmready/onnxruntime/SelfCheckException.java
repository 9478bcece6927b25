package io.jvmready.onnxruntime;

/**
 * A model's embedded verification samples did not replay: an output differs from what Python
 * computed, or the samples are missing or unreadable. Names the output, the sample and the flat
 * (C-order) index, and both values, so the failure can be acted on.
 */
public class SelfCheckException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String output;
  private final int sample;
  private final long index;
  private final String expected;
  private final String actual;

  /**
   * A value mismatch.
   *
   * @param output the output name
   * @param sample the sample number (0-based)
   * @param index the flat C-order index within the sample's output
   * @param where a readable position, e.g. {@code [1, 0]} or {@code [2]{key 1}}
   * @param expected the value Python's onnxruntime computed, as text
   * @param actual the value this runtime computed, as text
   * @param tolerance a description of the tolerance used, e.g. {@code exact} or {@code rtol 1e-05,
   *     atol 1e-06}
   */
  public SelfCheckException(
      String output,
      int sample,
      long index,
      String where,
      String expected,
      String actual,
      String tolerance) {
    super(
        "self-check failed: output '"
            + output
            + "' sample "
            + sample
            + " index "
            + where
            + " (flat "
            + index
            + "): expected "
            + expected
            + ", got "
            + actual
            + " ("
            + tolerance
            + ")");
    this.output = output;
    this.sample = sample;
    this.index = index;
    this.expected = expected;
    this.actual = actual;
  }

  /**
   * A problem that is not one value: missing or unreadable samples, a shape or key difference.
   *
   * @param message what went wrong, naming the output and sample where there is one
   * @param output the output name, or {@code null}
   * @param sample the sample number, or {@code -1}
   * @param cause the underlying exception, or {@code null}
   */
  public SelfCheckException(String message, String output, int sample, Throwable cause) {
    super("self-check failed: " + message, cause);
    this.output = output;
    this.sample = sample;
    this.index = -1;
    this.expected = null;
    this.actual = null;
  }

  /** The output that differs, or {@code null} when the problem is not in one output. */
  public String output() {
    return output;
  }

  /** The sample number (0-based), or {@code -1}. */
  public int sample() {
    return sample;
  }

  /** The flat C-order index within the sample's output, or {@code -1}. */
  public long index() {
    return index;
  }

  /** The expected value as text, or {@code null}. */
  public String expected() {
    return expected;
  }

  /** The computed value as text, or {@code null}. */
  public String actual() {
    return actual;
  }
}
