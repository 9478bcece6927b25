package io.jvmready.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.jvmready.onnxruntime.ModelRunner;
import io.jvmready.onnxruntime.Result;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Per-call cost of {@link ModelRunner#run(Map)} against what a user writes with raw ONNX Runtime
 * Java for the same call: build the input tensors, run, copy the output into a Java array. Both
 * use a session with one intra-op thread on the same small model (inputs {@code ids} int64 [1,
 * 8] and {@code x} float [1, 16], output {@code y} float [1, 4]; written by {@code
 * bench/models.py}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RunnerOverhead {
  /** Path of the small model. */
  @Param("")
  public String model;

  private OrtEnvironment env;
  private OrtSession.SessionOptions options;
  private OrtSession session;
  private ModelRunner runner;
  private long[][] ids;
  private float[][] x;
  private Map<String, Object> inputs;

  /**
   * Opens both sessions and checks that they agree, so the two benchmarks measure the same work.
   *
   * @throws IOException if the model cannot be opened
   * @throws OrtException if ONNX Runtime fails
   */
  @Setup
  public void open() throws IOException, OrtException {
    env = OrtEnvironment.getEnvironment();
    // One intra-op thread for both: on a small model a thread pool only adds scheduling noise.
    options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(1);
    session = env.createSession(model, options);
    runner = ModelRunner.open(Path.of(model), options);
    ids = new long[][] {{1, 5, 9, 13, 17, 21, 25, 29}};
    x = new float[1][16];
    for (int i = 0; i < 16; i++) {
      x[0][i] = i / 16f;
    }
    inputs = Map.of("ids", ids, "x", x);
    float[] viaRunner = jvmready();
    float[] viaOrt = rawOrt()[0];
    if (!Arrays.equals(viaRunner, viaOrt)) {
      throw new IllegalStateException(
          "ModelRunner and raw ORT disagree: " + Arrays.toString(viaRunner) + " vs " + Arrays.toString(viaOrt));
    }
  }

  /**
   * Closes both sessions.
   *
   * @throws OrtException if ONNX Runtime fails
   */
  @TearDown
  public void close() throws OrtException {
    runner.close();
    session.close();
    options.close();
  }

  /**
   * One call through jvmready's ModelRunner (checked conversion, typed copy of the output).
   *
   * @return the output values
   */
  @Benchmark
  public float[] jvmready() {
    try (Result r = runner.run(inputs)) {
      return r.floats("y");
    }
  }

  /**
   * The same call written against raw ONNX Runtime Java.
   *
   * @return the output values
   * @throws OrtException if ONNX Runtime fails
   */
  @Benchmark
  public float[][] rawOrt() throws OrtException {
    try (OnnxTensor a = OnnxTensor.createTensor(env, ids);
        OnnxTensor b = OnnxTensor.createTensor(env, x);
        OrtSession.Result r = session.run(Map.of("ids", a, "x", b))) {
      return (float[][]) r.get(0).getValue();
    }
  }
}
