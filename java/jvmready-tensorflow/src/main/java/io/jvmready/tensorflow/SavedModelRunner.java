package io.jvmready.tensorflow;

import io.jvmready.DType;
import io.jvmready.IntegerWidthException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * One signature of a SavedModel, fed with jvmready tensors converted to the dtype each input
 * declares: int64 inputs take {@code int[]} or {@code long[]} data, int32 inputs take {@code
 * int[]} or {@code long[]} data checked value by value (an {@link IntegerWidthException} names the
 * input, the flat index and the value; nothing wraps), float32 inputs take float32 data.
 *
 * <pre>{@code
 * try (SavedModelRunner runner = SavedModelRunner.open(Path.of("model"));
 *     Outputs out = runner.run(Map.of("token_ids", Tensors.ofInts("token_ids", ids, 2, 3)))) {
 *   int[] labels = out.ints("label");
 * }
 * }</pre>
 */
public final class SavedModelRunner implements AutoCloseable {
  private final Path dir;
  private final SavedModelBundle bundle;
  private final SessionFunction function;

  private SavedModelRunner(Path dir, SavedModelBundle bundle, SessionFunction function) {
    this.dir = dir;
    this.bundle = bundle;
    this.function = function;
  }

  /**
   * Loads the SavedModel at {@code dir} (tag {@code serve}) and selects {@code serving_default}.
   *
   * @param dir the SavedModel directory (holding {@code saved_model.pb})
   * @return the runner; close it to free the native session
   */
  public static SavedModelRunner open(Path dir) {
    return open(dir, Signature.DEFAULT_KEY);
  }

  /**
   * Loads the SavedModel at {@code dir} (tag {@code serve}) and selects one signature.
   *
   * @param dir the SavedModel directory (holding {@code saved_model.pb})
   * @param signatureKey the signature, e.g. {@code serving_default}
   * @return the runner; close it to free the native session
   * @throws IllegalArgumentException when the model has no such signature (the message lists them)
   */
  public static SavedModelRunner open(Path dir, String signatureKey) {
    SavedModelBundle bundle = SavedModelBundle.load(dir.toString(), SavedModelBundle.DEFAULT_TAG);
    for (Signature s : bundle.signatures()) {
      if (s.key().equals(signatureKey)) {
        return new SavedModelRunner(dir, bundle, bundle.function(signatureKey));
      }
    }
    List<String> keys = new ArrayList<>();
    bundle.signatures().forEach(s -> keys.add(s.key()));
    bundle.close();
    throw new IllegalArgumentException(
        dir + ": no signature '" + signatureKey + "'; it has " + keys);
  }

  /**
   * The selected signature, with every input's and output's dtype and shape.
   *
   * @return the signature
   */
  public Signature signature() {
    return function.signature();
  }

  /**
   * Runs the signature. Every input must be given; each is converted to its declared dtype with
   * checks, and the input tensors are freed before returning.
   *
   * @param inputs jvmready tensors by signature input name
   * @return the outputs; close them to free their native memory
   * @throws IllegalArgumentException for an unknown or missing input, a shape that does not match
   *     the signature, or data that cannot feed the declared dtype (the message names the input)
   * @throws IntegerWidthException when a value does not fit an int32 input (names the input, the
   *     flat index and the value)
   */
  public Outputs run(Map<String, io.jvmready.Tensor> inputs) {
    Map<String, Signature.TensorDescription> declared = signature().getInputs();
    for (String name : inputs.keySet()) {
      if (!declared.containsKey(name)) {
        throw new IllegalArgumentException(
            dir + ": unknown input '" + name + "'; the signature takes " + new TreeSet<>(declared.keySet()));
      }
    }
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Signature.TensorDescription> e : declared.entrySet()) {
        io.jvmready.Tensor given = inputs.get(e.getKey());
        if (given == null) {
          throw new IllegalArgumentException(
              dir + ": input '" + e.getKey() + "' (" + e.getValue().dataType + ") is missing");
        }
        feeds.put(e.getKey(), toTensor(e.getKey(), given, e.getValue()));
      }
      Result result = function.call(feeds);
      return new Outputs(result, signature().getOutputs());
    } finally {
      feeds.values().forEach(Tensor::close);
    }
  }

  private Tensor toTensor(String name, io.jvmready.Tensor given, Signature.TensorDescription want) {
    Shape shape = Shape.of(given.shape());
    checkShape(name, shape, want.shape);
    DataType type = want.dataType;
    if (type == DataType.DT_INT64 && given.dtype().isIntegral()) {
      return TInt64.tensorOf(shape, DataBuffers.of(given.toLongArray()));
    }
    if (type == DataType.DT_INT32 && given.dtype().isIntegral()) {
      try {
        return TInt32.tensorOf(shape, DataBuffers.of(given.toIntArrayExact()));
      } catch (IntegerWidthException e) {
        throw new IntegerWidthException(dir.toString(), name, e.index(), e.value(), "int32");
      }
    }
    if (type == DataType.DT_FLOAT && given.dtype() == DType.FLOAT32) {
      float[] values = new float[Math.toIntExact(given.size())];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) given.getDouble(i); // float32 -> double -> float is exact
      }
      return TFloat32.tensorOf(shape, DataBuffers.of(values));
    }
    throw new IllegalArgumentException(
        dir + ": input '" + name + "' is " + type + "; " + given.dtype()
            + " data cannot feed it (this runner converts integers to int32/int64 and feeds float32"
            + " as it is)");
  }

  private void checkShape(String name, Shape given, Shape want) {
    boolean ok = want.isUnknown() || want.numDimensions() == given.numDimensions();
    for (int i = 0; ok && !want.isUnknown() && i < want.numDimensions(); i++) {
      ok = want.get(i) < 0 || want.get(i) == given.get(i);
    }
    if (!ok) {
      throw new IllegalArgumentException(
          dir + ": input '" + name + "' has shape " + given + "; the signature declares " + want);
    }
  }

  /** Frees the native session and graph. */
  @Override
  public void close() {
    bundle.close();
  }
}
