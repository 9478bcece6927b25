package io.jvmready.tensorflow;

import io.jvmready.IntegerWidthException;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Result;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The outputs of one run, read as Java arrays in C order. {@link #ints} narrows int64 outputs
 * value by value (an {@link IntegerWidthException} names the output); {@link #longs} widens int32.
 */
public final class Outputs implements AutoCloseable {
  private final Result result;
  private final Map<String, Signature.TensorDescription> declared;

  Outputs(Result result, Map<String, Signature.TensorDescription> declared) {
    this.result = result;
    this.declared = declared;
  }

  /**
   * The output names.
   *
   * @return the names, as the signature declares them
   */
  public Set<String> names() {
    return declared.keySet();
  }

  /**
   * One output as TF Java returned it (owned by this object: do not close it).
   *
   * @param name the output name
   * @return the tensor
   * @throws IllegalArgumentException for an unknown name (the message lists the outputs)
   */
  public Tensor tensor(String name) {
    return result
        .get(name)
        .orElseThrow(
            () -> new IllegalArgumentException("no output '" + name + "'; outputs: " + names()));
  }

  /**
   * The shape of one output.
   *
   * @param name the output name
   * @return its dimensions
   */
  public long[] shape(String name) {
    return tensor(name).shape().asArray();
  }

  /**
   * An int32 or int64 output as {@code long[]}.
   *
   * @param name the output name
   * @return the values in C order
   */
  public long[] longs(String name) {
    Tensor t = tensor(name);
    if (t instanceof TInt64 v) {
      long[] out = new long[size(name, t)];
      v.copyTo(DataBuffers.of(out, false, false));
      return out;
    }
    if (t instanceof TInt32 v) {
      int[] ints = new int[size(name, t)];
      v.copyTo(DataBuffers.of(ints, false, false));
      long[] out = new long[ints.length];
      for (int i = 0; i < ints.length; i++) {
        out[i] = ints[i];
      }
      return out;
    }
    throw wrongType(name, t, "an integer");
  }

  /**
   * An int32 output, or an int64 output whose every value fits int32, as {@code int[]}.
   *
   * @param name the output name
   * @return the values in C order
   * @throws IntegerWidthException naming the output, flat index and value that does not fit
   */
  public int[] ints(String name) {
    Tensor t = tensor(name);
    if (t instanceof TInt32 v) {
      int[] out = new int[size(name, t)];
      v.copyTo(DataBuffers.of(out, false, false));
      return out;
    }
    long[] wide = longs(name);
    int[] out = new int[wide.length];
    for (int i = 0; i < wide.length; i++) {
      if (wide[i] != (int) wide[i]) {
        throw new IntegerWidthException(name, i, Long.toString(wide[i]), "int32");
      }
      out[i] = (int) wide[i];
    }
    return out;
  }

  /**
   * A float32 output as {@code float[]}.
   *
   * @param name the output name
   * @return the values in C order
   */
  public float[] floats(String name) {
    Tensor t = tensor(name);
    if (t instanceof TFloat32 v) {
      float[] out = new float[size(name, t)];
      v.copyTo(DataBuffers.of(out, false, false));
      return out;
    }
    throw wrongType(name, t, "float32");
  }

  private static int size(String name, Tensor t) {
    long n = t.shape().size();
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "output '" + name + "' has " + n + " elements, more than a Java array holds");
    }
    return (int) n;
  }

  private static IllegalArgumentException wrongType(String name, Tensor t, String wanted) {
    return new IllegalArgumentException(
        "output '" + name + "' is " + t.dataType() + ", not " + wanted);
  }

  /** Frees the output tensors. */
  @Override
  public void close() {
    result.close();
  }
}
