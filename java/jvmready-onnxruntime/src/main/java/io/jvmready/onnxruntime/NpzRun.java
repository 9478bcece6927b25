package io.jvmready.onnxruntime;

import io.jvmready.DType;
import io.jvmready.IntegerWidthException;
import io.jvmready.Npz;
import io.jvmready.Tensor;
import io.jvmready.Tensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a model on the arrays of an {@code .npz} file and writes every output to another: the work
 * behind {@code Main run} (and {@code jvmready verify --java}). Inputs are fed the way a Java user
 * would: an int32 input from {@code int[]} (values checked by {@code toIntArrayExact}), other
 * integer inputs from {@code long[]}, float inputs from {@code float[]} or {@code double[]}.
 *
 * <p>With {@code stacked}, every array has an extra leading axis of S samples; the model runs S
 * times, sample i each time, and each output is written with a new leading axis of S.
 */
final class NpzRun {
  /** What a run did. */
  record Summary(String ortVersion, int runs, double loadMs, double runMs) {}

  /** A problem with the files or arguments (exit code 2); the message names the file. */
  static final class BadInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadInputException(String message) {
      super(message);
    }
  }

  /** One input, flattened once; {@link #sample(int)} gives run i's value. */
  private record Feed(String name, Object flat, Tensor tensor, long[] sampleShape, int sampleSize) {
    Object sample(int i) {
      int off = i * sampleSize;
      if (flat instanceof int[] a) {
        return Input.of(IntBuffer.wrap(a, off, sampleSize), sampleShape);
      }
      if (flat instanceof long[] a) {
        return Input.of(LongBuffer.wrap(a, off, sampleSize), sampleShape);
      }
      if (flat instanceof float[] a) {
        return Input.of(FloatBuffer.wrap(a, off, sampleSize), sampleShape);
      }
      if (flat instanceof double[] a) {
        return Input.of(DoubleBuffer.wrap(a, off, sampleSize), sampleShape);
      }
      ByteBuffer b = ByteBuffer.allocate(sampleSize);
      boolean[] all = (boolean[]) flat;
      for (int j = off; j < off + sampleSize; j++) {
        b.put((byte) (all[j] ? 1 : 0));
      }
      return Tensors.wrap(name, DType.BOOL, sampleShape, b.flip());
    }
  }

  private NpzRun() {}

  /**
   * Runs {@code model} on {@code inputs} and writes {@code output}.
   *
   * @throws IOException unreadable model or npz (the message names the file)
   * @throws BadInputException npz entries that do not match the model's inputs
   * @throws ModelInputException an input the model cannot take (wrong type or shape)
   * @throws io.jvmready.IntegerWidthException a value does not fit the declared integer type
   * @throws ModelRunException ONNX Runtime failed
   * @throws OutputStack.StackException outputs that cannot be written
   */
  static Summary run(Path model, Path inputs, Path output, boolean stacked) throws IOException {
    refuseOverwrite(output, model);
    refuseOverwrite(output, inputs);
    try (Npz npz = Npz.open(inputs)) {
      long t0 = System.nanoTime();
      try (ModelRunner runner = ModelRunner.open(model)) {
        long t1 = System.nanoTime();
        OutputStack outputs = new OutputStack(runner.outputs());
        int runs;
        Map<String, Feed> feeds = feeds(runner, npz, inputs, stacked);
        runs = stacked ? sampleCount(feeds, inputs) : 1;
        for (int i = 0; i < runs; i++) {
          Map<String, Object> values = new LinkedHashMap<>();
          for (Feed f : feeds.values()) {
            values.put(f.name(), f.sample(i));
          }
          try (Result r = runner.run(values)) {
            outputs.add(r);
          }
        }
        long t2 = System.nanoTime();
        NpzOutput out = new NpzOutput();
        outputs.encode(out, stacked);
        out.write(output);
        return new Summary(runner.ortVersion(), runs, (t1 - t0) / 1e6, (t2 - t1) / 1e6);
      }
    }
  }

  private static void refuseOverwrite(Path output, Path input) throws IOException {
    boolean same =
        output.toAbsolutePath().normalize().equals(input.toAbsolutePath().normalize())
            || (Files.exists(output) && Files.exists(input) && Files.isSameFile(output, input));
    if (same) {
      throw new BadInputException(
          output + ": refusing to overwrite an input file; choose another --output");
    }
  }

  private static Map<String, Feed> feeds(ModelRunner runner, Npz npz, Path file, boolean stacked) {
    Map<String, IoSpec> specs = runner.inputs();
    List<String> names = npz.names();
    for (String n : names) {
      if (!specs.containsKey(n)) {
        throw new BadInputException(
            file + ": array '" + n + "' is not a model input; " + runner.declaredInputs());
      }
    }
    Map<String, Feed> feeds = new LinkedHashMap<>();
    for (IoSpec spec : specs.values()) {
      if (!names.contains(spec.name())) {
        throw new BadInputException(
            file + ": no array for input '" + spec.name() + "'; " + runner.declaredInputs());
      }
      feeds.put(spec.name(), feed(spec, npz.get(spec.name()), file, stacked));
    }
    return feeds;
  }

  private static Feed feed(IoSpec spec, Tensor t, Path file, boolean stacked) {
    long[] shape = t.shape();
    if (stacked && shape.length == 0) {
      throw new BadInputException(
          file
              + ": array '"
              + spec.name()
              + "' is a scalar; --stacked needs a leading sample axis");
    }
    long[] sampleShape = stacked ? Arrays.copyOfRange(shape, 1, shape.length) : shape;
    long sampleSize = 1;
    for (long d : sampleShape) {
      sampleSize *= d;
    }
    if (t.size() > Given.MAX_ELEMENTS) {
      throw new BadInputException(
          file + ": array '" + spec.name() + "' is too large for one Java array");
    }
    DType d = t.dtype();
    Object flat;
    if (d == DType.BOOL) {
      boolean[] b = new boolean[(int) t.size()];
      for (int i = 0; i < b.length; i++) {
        b[i] = t.getLong(i) != 0;
      }
      flat = b;
    } else if (d.isIntegral()) {
      // As a Java user would: int[] for an int32 input (checked), long[] otherwise.
      if (spec.elementType().equals("int32")) {
        try {
          flat = t.toIntArrayExact();
        } catch (IntegerWidthException e) {
          throw new InputWidthException(
              spec.name(), e.index(), e.value(), "int32", spec.describe());
        }
      } else {
        flat = t.toLongArray();
      }
    } else if (d == DType.FLOAT64) {
      flat = t.toDoubleArray();
    } else {
      flat = t.toFloatArray();
    }
    return new Feed(spec.name(), flat, t, sampleShape, (int) sampleSize);
  }

  private static int sampleCount(Map<String, Feed> feeds, Path file) {
    long s = -1;
    String first = null;
    for (Feed f : feeds.values()) {
      long n = f.tensor().shape()[0];
      if (s < 0) {
        s = n;
        first = f.name();
      } else if (n != s) {
        throw new BadInputException(
            file
                + ": --stacked arrays differ in length: '"
                + first
                + "' has "
                + s
                + " samples, '"
                + f.name()
                + "' has "
                + n);
      }
    }
    return (int) Math.max(s, 0);
  }
}
