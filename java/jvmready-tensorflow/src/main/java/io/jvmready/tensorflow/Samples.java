package io.jvmready.tensorflow;

import io.jvmready.DType;
import io.jvmready.Tensor;
import io.jvmready.Tensors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stacked samples: every input array carries a leading axis of S samples, split here into S feeds;
 * the outputs of the S runs are stacked back along a new leading axis. Values are copied as they
 * are (int32 stays int32, int64 stays int64); the runner converts, with checks, per input.
 */
final class Samples {
  private final Path file;
  private final Map<String, Flat> inputs = new LinkedHashMap<>();
  private final int count;

  /** One input, read once as a Java array, with the shape of one sample. */
  private record Flat(String name, DType dtype, Object data, long[] sampleShape, int sampleSize) {}

  /** One output of one run, as little-endian bytes. */
  record Column(DType dtype, long[] shape, ByteBuffer data) {}

  Samples(Path file, Map<String, Tensor> arrays) {
    this.file = file;
    int s = -1;
    String first = null;
    for (Map.Entry<String, Tensor> e : arrays.entrySet()) {
      Tensor t = e.getValue();
      long[] shape = t.shape();
      if (shape.length == 0) {
        throw new IllegalArgumentException(
            file + ": array '" + e.getKey() + "' is a scalar; --stacked needs a leading sample axis");
      }
      if (s >= 0 && shape[0] != s) {
        throw new IllegalArgumentException(
            file + ": --stacked arrays differ in length: '" + first + "' has " + s + " samples, '"
                + e.getKey() + "' has " + shape[0]);
      }
      s = Math.toIntExact(shape[0]);
      first = e.getKey();
      long[] sampleShape = Arrays.copyOfRange(shape, 1, shape.length);
      int size = s == 0 ? 0 : Math.toIntExact(t.size() / s);
      inputs.put(e.getKey(), new Flat(e.getKey(), t.dtype(), read(t), sampleShape, size));
    }
    if (s <= 0) {
      throw new IllegalArgumentException(file + ": --stacked needs at least one sample");
    }
    this.count = s;
  }

  /**
   * The number of samples.
   *
   * @return S, the length of every array's leading axis
   */
  int count() {
    return count;
  }

  /**
   * The feeds of sample {@code i}.
   *
   * @param i the sample
   * @return one tensor per input, without the sample axis
   */
  Map<String, Tensor> sample(int i) {
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    for (Flat f : inputs.values()) {
      int from = i * f.sampleSize();
      int to = from + f.sampleSize();
      Object d = f.data();
      long[] shape = f.sampleShape();
      Tensor t;
      if (d instanceof int[] v) {
        t = Tensors.ofInts(f.name(), Arrays.copyOfRange(v, from, to), shape);
      } else if (d instanceof long[] v) {
        t = Tensors.ofLongs(f.name(), Arrays.copyOfRange(v, from, to), shape);
      } else if (d instanceof boolean[] v) {
        t = Tensors.ofBooleans(f.name(), Arrays.copyOfRange(v, from, to), shape);
      } else if (d instanceof double[] v) {
        t = Tensors.ofDoubles(f.name(), Arrays.copyOfRange(v, from, to), shape);
      } else {
        t = Tensors.ofFloats(f.name(), Arrays.copyOfRange((float[]) d, from, to), shape);
      }
      feeds.put(f.name(), t);
    }
    return feeds;
  }

  private static Object read(Tensor t) {
    DType d = t.dtype();
    if (d == DType.BOOL) {
      boolean[] b = new boolean[Math.toIntExact(t.size())];
      for (int i = 0; i < b.length; i++) {
        b[i] = t.getLong(i) != 0;
      }
      return b;
    }
    if (d == DType.INT32) {
      return t.toIntArrayExact(); // int32 data: every value fits, nothing is narrowed
    }
    if (d.isIntegral()) {
      return t.toLongArray();
    }
    if (d == DType.FLOAT64) {
      return t.toDoubleArray();
    }
    return t.toFloatArray();
  }

  /**
   * One output of every run stacked along a new leading axis.
   *
   * @param name the output name
   * @param runs the output of each run, in sample order
   * @return the stacked tensor
   * @throws IllegalArgumentException when runs disagree on dtype or shape (named)
   */
  Tensor stack(String name, List<Column> runs) {
    Column first = runs.get(0);
    int bytes = 0;
    for (int i = 0; i < runs.size(); i++) {
      Column c = runs.get(i);
      if (c.dtype() != first.dtype() || !Arrays.equals(c.shape(), first.shape())) {
        throw new IllegalArgumentException(
            file + ": output '" + name + "' is " + c.dtype() + Arrays.toString(c.shape())
                + " in sample " + i + " but " + first.dtype() + Arrays.toString(first.shape())
                + " in sample 0; stacked outputs need one shape (verify one sample at a time)");
      }
      bytes = Math.addExact(bytes, c.data().remaining());
    }
    ByteBuffer all = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (Column c : runs) {
      all.put(c.data().duplicate());
    }
    all.flip();
    long[] shape = new long[first.shape().length + 1];
    shape[0] = runs.size();
    System.arraycopy(first.shape(), 0, shape, 1, first.shape().length);
    return Tensors.wrap(name, first.dtype(), shape, all);
  }
}
