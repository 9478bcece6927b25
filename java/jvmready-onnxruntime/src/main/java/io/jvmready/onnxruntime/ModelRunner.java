package io.jvmready.onnxruntime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Runs an ONNX model with ONNX Runtime, taking inputs in whatever integer width the caller has and
 * giving outputs back typed.
 *
 * <p>Inputs may be Java primitive arrays of any rank ({@code int[]}, {@code long[][]}, {@code
 * float[][]}, {@code double[]}, {@code byte[]}, {@code short[]}, {@code boolean[]}, {@code
 * String[]}), boxed scalars, {@link io.jvmready.Tensor}s read by jvmready-core, or {@link Input}s
 * (a buffer plus a shape). Each is converted to the element type the model declares:
 *
 * <ul>
 *   <li>integers of any width to any integer type: widening always, narrowing with every value
 *       range-checked ({@code long[]} into an {@code int32} input): a value that does not fit
 *       throws {@link io.jvmready.IntegerWidthException} naming the input, the flat index and the
 *       value, never wraps;
 *   <li>{@code float} into a {@code double} input widens exactly; {@code double} into a {@code
 *       float} input rounds each value to the nearest float (as NumPy's {@code astype(float32)}
 *       does); a finite value beyond the float range is refused;
 *   <li>integers are never turned into floats, nor floats into integers: that throws {@link
 *       ModelInputException}.
 * </ul>
 *
 * <p>The shape must match the declaration (dynamic dimensions are free); a mismatch throws {@link
 * ModelInputException} with a message such as {@code input 'X': model declares tensor(int64)
 * [batch, 4]; given int[3][5]}.
 *
 * <p>A runner is safe to use from several threads at once (ONNX Runtime sessions are). Close it
 * to free the native session; use try-with-resources.
 */
public final class ModelRunner implements AutoCloseable {
  private final OrtEnvironment env;
  private final OrtSession session;
  private final String source;
  private final Map<String, IoSpec> inputs;
  private final Map<String, IoSpec> outputs;

  private ModelRunner(OrtEnvironment env, OrtSession session, String source) throws OrtException {
    this.env = env;
    this.session = session;
    this.source = source;
    this.inputs = specs(session.getInputInfo());
    this.outputs = specs(session.getOutputInfo());
  }

  private static Map<String, IoSpec> specs(Map<String, NodeInfo> infos) {
    Map<String, IoSpec> m = new LinkedHashMap<>();
    for (NodeInfo n : infos.values()) {
      m.put(n.getName(), Specs.of(n));
    }
    return Collections.unmodifiableMap(m);
  }

  /**
   * Opens the model file with default session options.
   *
   * @param model path to an {@code .onnx} file
   * @return the runner; close it
   * @throws IOException if the file cannot be read or ONNX Runtime cannot load it (the message
   *     names the file)
   */
  public static ModelRunner open(Path model) throws IOException {
    return open(model, null);
  }

  /**
   * Opens the model file with the given session options (threads, optimization level...).
   *
   * @param model path to an {@code .onnx} file
   * @param options session options, or {@code null} for the defaults; the caller still owns and
   *     closes them
   * @return the runner; close it
   * @throws IOException if the file cannot be read or ONNX Runtime cannot load it (the message
   *     names the file)
   */
  public static ModelRunner open(Path model, OrtSession.SessionOptions options)
      throws IOException {
    Objects.requireNonNull(model, "model");
    if (!Files.isRegularFile(model)) {
      throw new IOException(model + ": no such model file");
    }
    if (!Files.isReadable(model)) {
      throw new IOException(model + ": cannot read the model file");
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession session = null;
    try {
      session =
          options == null
              ? env.createSession(model.toString())
              : env.createSession(model.toString(), options);
      return new ModelRunner(env, session, model.toString());
    } catch (OrtException e) {
      closeQuietly(session);
      throw new IOException(model + ": ONNX Runtime cannot load the model: " + e.getMessage(), e);
    }
  }

  /**
   * Opens a model held in memory (e.g. a classpath resource) with default session options.
   *
   * @param model the serialized ONNX model
   * @return the runner; close it
   * @throws IOException if ONNX Runtime cannot load the model
   */
  public static ModelRunner open(byte[] model) throws IOException {
    return open(model, null);
  }

  /**
   * Opens a model held in memory with the given session options (threads, optimization level...).
   *
   * @param model the serialized ONNX model
   * @param options session options, or {@code null} for the defaults; the caller still owns and
   *     closes them
   * @return the runner; close it
   * @throws IOException if ONNX Runtime cannot load the model
   */
  public static ModelRunner open(byte[] model, OrtSession.SessionOptions options)
      throws IOException {
    Objects.requireNonNull(model, "model");
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession session = null;
    try {
      session = options == null ? env.createSession(model) : env.createSession(model, options);
      return new ModelRunner(env, session, "model bytes");
    } catch (OrtException e) {
      closeQuietly(session);
      throw new IOException(
          "model bytes ("
              + model.length
              + "): ONNX Runtime cannot load the model: "
              + e.getMessage(),
          e);
    }
  }

  private static void closeQuietly(OrtSession session) {
    if (session != null) {
      try {
        session.close();
      } catch (OrtException ignored) {
        // already failing; the first error is the one to report
      }
    }
  }

  /** The declared inputs, in model order. */
  public Map<String, IoSpec> inputs() {
    return inputs;
  }

  /** The declared outputs, in model order. */
  public Map<String, IoSpec> outputs() {
    return outputs;
  }

  /**
   * The model's custom metadata properties ({@code metadata_props}), e.g. what jvmready wrote when
   * fixing the model.
   *
   * @return an unmodifiable map, empty if there are none
   */
  public Map<String, String> metadata() {
    try {
      return Collections.unmodifiableMap(
          new LinkedHashMap<>(session.getMetadata().getCustomMetadata()));
    } catch (OrtException e) {
      throw new ModelRunException(source + ": cannot read the model metadata", e);
    }
  }

  /** The ONNX Runtime version this runner uses, e.g. {@code 1.23.2}. */
  public String ortVersion() {
    return env.getVersion();
  }

  /**
   * Replays the verification samples embedded in the model ({@code jvmready fix --embed-samples
   * N}) and compares every output with what Python's onnxruntime computed. Call it at start-up.
   *
   * @return what was checked
   * @throws SelfCheckException naming the output, sample and flat index of the first mismatch, or
   *     saying the model carries no samples
   */
  public SelfCheckReport selfCheck() {
    return SelfCheck.run(this);
  }

  /**
   * Runs a model that has exactly one input.
   *
   * @param inputName the input's name
   * @param value the value (see the class documentation for accepted types)
   * @return every output, copied into Java arrays
   * @throws ModelInputException on an unknown or missing input, wrong type or wrong shape
   * @throws io.jvmready.IntegerWidthException if a value does not fit the declared integer type
   * @throws ModelRunException if ONNX Runtime fails
   */
  public Result run(String inputName, Object value) {
    return run(Collections.singletonMap(inputName, value));
  }

  /**
   * Runs the model on named inputs. Every declared input must be given, and nothing else.
   *
   * @param values input name to value (see the class documentation for accepted types)
   * @return every output, copied into Java arrays
   * @throws ModelInputException on an unknown or missing input, wrong type or wrong shape
   * @throws io.jvmready.IntegerWidthException if a value does not fit the declared integer type
   * @throws ModelRunException if ONNX Runtime fails
   */
  public Result run(Map<String, ?> values) {
    Objects.requireNonNull(values, "values");
    for (String name : values.keySet()) {
      if (!inputs.containsKey(name)) {
        throw new ModelInputException(
            String.valueOf(name), "unknown input '" + name + "'; " + declaredInputs());
      }
    }
    for (String name : inputs.keySet()) {
      if (!values.containsKey(name)) {
        throw new ModelInputException(name, "missing input '" + name + "'; " + declaredInputs());
      }
    }
    Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
    try {
      for (IoSpec spec : inputs.values()) {
        tensors.put(spec.name(), InputConverter.toTensor(env, spec, values.get(spec.name())));
      }
      try (OrtSession.Result r = session.run(tensors)) {
        return Result.copyOf(r, outputs);
      } catch (OrtException e) {
        throw new ModelRunException(
            source + ": ONNX Runtime failed on inputs " + tensors.keySet() + ": " + e.getMessage(),
            e);
      }
    } finally {
      for (OnnxTensor t : tensors.values()) {
        t.close();
      }
    }
  }

  /** {@code model inputs: X (tensor(int64) [batch, 4]), ...} for messages. */
  String declaredInputs() {
    StringBuilder sb = new StringBuilder("model inputs: ");
    String sep = "";
    for (IoSpec s : inputs.values()) {
      sb.append(sep).append(s.name()).append(" (").append(s.describe()).append(')');
      sep = ", ";
    }
    return sb.toString();
  }

  /** Closes the native session. */
  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new ModelRunException(source + ": closing the session failed", e);
    }
  }

  @Override
  public String toString() {
    return "ModelRunner["
        + source
        + ", inputs "
        + inputs.values()
        + ", outputs "
        + outputs.values()
        + "]";
  }
}
