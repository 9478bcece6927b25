package io.jvmready.onnxruntime;

import java.util.List;

/**
 * What a passing {@link ModelRunner#selfCheck()} replayed.
 *
 * @param samples number of samples run
 * @param outputs the outputs compared, in model order
 * @param rtol relative tolerance used for floating-point outputs
 * @param atol absolute tolerance used for floating-point outputs
 * @param elapsedNanos time spent decoding and running the samples
 */
public record SelfCheckReport(
    int samples, List<String> outputs, double rtol, double atol, long elapsedNanos) {
  /** Copies the output list so the record stays immutable. */
  public SelfCheckReport {
    outputs = List.copyOf(outputs);
  }
}
