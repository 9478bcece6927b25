package io.jvmready.onnxruntime;

import io.jvmready.DType;
import io.jvmready.Npz;
import io.jvmready.Tensor;
import java.io.IOException;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replays the verification samples a model carries, as PMML's ModelVerification does: {@code
 * jvmready fix --embed-samples N} (or {@code jvmready verify --embed}) stores inputs and the
 * outputs Python's onnxruntime computed for them in the model's metadata; this class runs each
 * sample through a {@link ModelRunner} and compares.
 *
 * <p>Metadata: {@code jvmready.samples} is base64 of an {@code .npz} holding {@code in/<input>}
 * and {@code out/<output>} stacked along a leading sample axis (a sequence-of-maps output as
 * {@code out/<name>.keys} and {@code out/<name>.values}, {@code [samples, n, k]}); {@code
 * jvmready.samples.tolerance} is JSON {@code {"rtol": r, "atol": a}} for floating-point outputs.
 * Integers compare exactly by value (an int32 output equals an int64 expected value).
 */
public final class SelfCheck {
  /** Metadata key holding the samples. */
  public static final String SAMPLES_KEY = "jvmready.samples";

  /** Metadata key holding the float tolerances. */
  public static final String TOLERANCE_KEY = "jvmready.samples.tolerance";

  private static final String LABEL = "model metadata '" + SAMPLES_KEY + "'";

  private SelfCheck() {}

  /**
   * Runs every embedded sample through {@code runner} and compares every output.
   *
   * @param runner an open runner
   * @return what was checked
   * @throws SelfCheckException naming the output, sample and flat index of the first mismatch, or
   *     saying that the samples are missing or unreadable
   */
  public static SelfCheckReport run(ModelRunner runner) {
    long start = System.nanoTime();
    Map<String, String> metadata = runner.metadata();
    String encoded = metadata.get(SAMPLES_KEY);
    if (encoded == null) {
      throw new SelfCheckException(
          "the model carries no '"
              + SAMPLES_KEY
              + "' metadata; embed samples with jvmready fix --embed-samples N",
          null,
          -1,
          null);
    }
    byte[] bytes;
    try {
      bytes = Base64.getMimeDecoder().decode(encoded);
    } catch (IllegalArgumentException e) {
      throw new SelfCheckException(LABEL + " is not base64: " + e.getMessage(), null, -1, e);
    }
    double[] tol = tolerance(metadata.get(TOLERANCE_KEY));
    try (Npz npz = Npz.fromBytes(LABEL, bytes)) {
      List<String> names = npz.names();
      Samples inputs = inputs(runner, npz, names);
      List<Expected> expected = expected(runner, npz, names);
      for (int s = 0; s < inputs.count; s++) {
        try (Result result = runner.run(inputs.sample(s))) {
          for (Expected e : expected) {
            e.check(result, s, tol[0], tol[1]);
          }
        }
      }
      List<String> checked = new ArrayList<>();
      for (Expected e : expected) {
        checked.add(e.name);
      }
      return new SelfCheckReport(inputs.count, checked, tol[0], tol[1], System.nanoTime() - start);
    } catch (IOException e) {
      throw new SelfCheckException(
          LABEL + " is not a readable npz: " + e.getMessage(), null, -1, e);
    }
  }

  private static final Pattern NUMBER = Pattern.compile("[-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?");

  /** {@code [rtol, atol]} from the tolerance JSON; exact when absent. */
  static double[] tolerance(String json) {
    double[] out = {0.0, 0.0};
    if (json == null) {
      return out;
    }
    String[] keys = {"rtol", "atol"};
    for (int i = 0; i < keys.length; i++) {
      Matcher m =
          Pattern.compile("\"" + keys[i] + "\"\\s*:\\s*(" + NUMBER.pattern() + ")").matcher(json);
      if (m.find()) {
        out[i] = Double.parseDouble(m.group(1));
      } else {
        throw new SelfCheckException(
            "metadata '" + TOLERANCE_KEY + "' has no " + keys[i] + ": " + json, null, -1, null);
      }
    }
    return out;
  }

  /** The stacked inputs, sliced per sample into {@link Input}s of the stored element type. */
  private static final class Samples {
    final int count;
    final Map<String, Object> arrays = new LinkedHashMap<>();
    final Map<String, long[]> shapes = new LinkedHashMap<>();
    final Map<String, Integer> sizes = new LinkedHashMap<>();

    Samples(int count) {
      this.count = count;
    }

    Map<String, Object> sample(int s) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (Map.Entry<String, Object> e : arrays.entrySet()) {
        String name = e.getKey();
        int per = sizes.get(name);
        int off = s * per;
        long[] shape = shapes.get(name);
        Object a = e.getValue();
        Input in;
        if (a instanceof int[] ints) {
          in = Input.of(IntBuffer.wrap(ints, off, per).slice(), shape);
        } else if (a instanceof long[] longs) {
          in = Input.of(LongBuffer.wrap(longs, off, per).slice(), shape);
        } else if (a instanceof float[] floats) {
          in = Input.of(FloatBuffer.wrap(floats, off, per).slice(), shape);
        } else {
          in = Input.of(DoubleBuffer.wrap((double[]) a, off, per).slice(), shape);
        }
        m.put(name, in);
      }
      return m;
    }
  }

  private static Samples inputs(ModelRunner runner, Npz npz, List<String> names) {
    Samples samples = null;
    for (String name : runner.inputs().keySet()) {
      String key = "in/" + name;
      if (!names.contains(key)) {
        throw new SelfCheckException(LABEL + " has no entry '" + key + "'", null, -1, null);
      }
      Tensor t = npz.get(key);
      long[] shape = t.shape();
      if (shape.length == 0) {
        throw new SelfCheckException(
            LABEL + " entry '" + key + "' has no sample axis", null, -1, null);
      }
      if (samples == null) {
        samples = new Samples(Math.toIntExact(shape[0]));
      } else if (shape[0] != samples.count) {
        throw new SelfCheckException(
            LABEL + " entry '" + key + "' has " + shape[0] + " samples, not " + samples.count,
            null,
            -1,
            null);
      }
      long[] one = Arrays.copyOfRange(shape, 1, shape.length);
      int per = samples.count == 0 ? 0 : Math.toIntExact(t.size() / samples.count);
      DType d = t.dtype();
      Object data;
      if (d == DType.INT32) {
        data = t.toIntArrayExact(); // fed from int[], as Java callers do
      } else if (d.isIntegral() && d != DType.BOOL) {
        data = t.toLongArray();
      } else if (d == DType.FLOAT32 || d == DType.FLOAT16 || d == DType.BFLOAT16) {
        data = t.toFloatArray();
      } else if (d == DType.FLOAT64) {
        data = t.toDoubleArray();
      } else {
        throw new SelfCheckException(
            LABEL + " entry '" + key + "' is " + d + "; self-check feeds integer and float inputs",
            null,
            -1,
            null);
      }
      samples.arrays.put(name, data);
      samples.shapes.put(name, one);
      samples.sizes.put(name, per);
    }
    if (samples == null) {
      throw new SelfCheckException("the model has no inputs to replay", null, -1, null);
    }
    return samples;
  }

  private static List<Expected> expected(ModelRunner runner, Npz npz, List<String> names) {
    List<Expected> out = new ArrayList<>();
    for (IoSpec spec : runner.outputs().values()) {
      String key = "out/" + spec.name();
      if (names.contains(key)) {
        out.add(new Expected(spec, npz.get(key), null));
      } else if (names.contains(key + ".keys") && names.contains(key + ".values")) {
        out.add(new Expected(spec, npz.get(key + ".values"), npz.get(key + ".keys")));
      }
    }
    for (String name : names) {
      if (name.startsWith("out/")) {
        String output = name.substring(4).replaceAll("\\.(keys|values)$", "");
        Map<String, IoSpec> outputs = runner.outputs();
        if (!outputs.containsKey(output) && !outputs.containsKey(name.substring(4))) {
          throw new SelfCheckException(
              "the samples expect an output '" + output + "' the model does not have",
              output,
              -1,
              null);
        }
      }
    }
    return out;
  }

  /** The expected values of one output over all samples. */
  private static final class Expected {
    final String name;
    final IoSpec spec;
    final Tensor values; // [S, ...] for tensors; [S, n, k] map values for seq(map)
    final Tensor keys; // [S, n, k] map keys, or null
    final long[] sampleShape;
    final long per;

    Expected(IoSpec spec, Tensor values, Tensor keys) {
      this.name = spec.name();
      this.spec = spec;
      this.values = values;
      this.keys = keys;
      long[] shape = values.shape();
      this.sampleShape = Arrays.copyOfRange(shape, 1, shape.length);
      long n = 1;
      for (long d : sampleShape) {
        n *= d;
      }
      this.per = n;
    }

    void check(Result r, int s, double rtol, double atol) {
      long base = s * per;
      if (keys != null && spec.isSequenceOfMaps()) {
        checkMaps(r, s, base, rtol, atol);
        return;
      }
      long[] shape = r.shape(name);
      if (keys == null && !Arrays.equals(shape, sampleShape)) {
        throw new SelfCheckException(
            "output '"
                + name
                + "' sample "
                + s
                + " has shape "
                + Arrays.toString(shape)
                + ", expected "
                + Arrays.toString(sampleShape),
            name,
            s,
            null);
      }
      if (keys == null && values.dtype().isIntegral() && values.dtype() != DType.BOOL) {
        long[] actual = r.longs(name);
        for (int i = 0; i < actual.length; i++) {
          long e = values.getLong(base + i);
          if (actual[i] != e) {
            throw mismatch(s, i, shape, Long.toString(e), Long.toString(actual[i]), "exact");
          }
        }
        return;
      }
      if (values.dtype() == DType.BOOL) {
        boolean[] actual = r.booleans(name);
        for (int i = 0; i < actual.length; i++) {
          boolean e = values.getLong(base + i) != 0;
          if (actual[i] != e) {
            throw mismatch(s, i, shape, Boolean.toString(e), Boolean.toString(actual[i]), "exact");
          }
        }
        return;
      }
      // Floats; also a ZipMap-free model's probability matrix against stored map values.
      double[] actual = r.doubles(name);
      if (actual.length != per) {
        throw new SelfCheckException(
            "output '" + name + "' sample " + s + " has " + actual.length + " values, expected "
                + per,
            name,
            s,
            null);
      }
      for (int i = 0; i < actual.length; i++) {
        double e = values.getDouble(base + i);
        if (!close(actual[i], e, rtol, atol)) {
          throw mismatch(s, i, shape, repr(e), repr(actual[i]), tol(rtol, atol));
        }
      }
    }

    private void checkMaps(Result r, int s, long base, double rtol, double atol) {
      int n = Math.toIntExact(sampleShape[0]);
      int k = Math.toIntExact(sampleShape[1]);
      List<Map<Long, Float>> maps = r.zipMap(name);
      if (maps.size() != n) {
        throw new SelfCheckException(
            "output '" + name + "' sample " + s + " has " + maps.size() + " maps, expected " + n,
            name,
            s,
            null);
      }
      for (int j = 0; j < n; j++) {
        Map<Long, Float> m = maps.get(j);
        for (int c = 0; c < k; c++) {
          long flat = (long) j * k + c;
          long key = keys.getLong(base + flat);
          double e = values.getDouble(base + flat);
          Float a = m.get(key);
          String where = "[" + j + "]{key " + key + "}";
          if (a == null) {
            throw new SelfCheckException(
                name, s, flat, where, repr(e), "no such key (keys " + m.keySet() + ")", "exact");
          }
          if (!close(a, e, rtol, atol)) {
            throw new SelfCheckException(
                name, s, flat, where, repr(e), repr(a), tol(rtol, atol));
          }
        }
      }
    }

    private SelfCheckException mismatch(
        int s, long flat, long[] shape, String e, String a, String tolerance) {
      return new SelfCheckException(name, s, flat, multiIndex(flat, shape), e, a, tolerance);
    }
  }

  static boolean close(double actual, double expected, double rtol, double atol) {
    if (Double.isNaN(actual) || Double.isNaN(expected)) {
      return Double.isNaN(actual) && Double.isNaN(expected);
    }
    if (actual == expected) {
      return true; // also equal infinities
    }
    return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
  }

  private static String repr(double v) {
    return Double.toString(v);
  }

  private static String tol(double rtol, double atol) {
    return "rtol " + rtol + ", atol " + atol;
  }

  /** {@code [i, j]} for a flat C-order index in {@code shape}. */
  static String multiIndex(long flat, long[] shape) {
    long[] idx = new long[shape.length];
    long rest = flat;
    for (int d = shape.length - 1; d >= 0; d--) {
      long size = Math.max(shape[d], 1);
      idx[d] = rest % size;
      rest /= size;
    }
    StringBuilder sb = new StringBuilder("[");
    for (int d = 0; d < idx.length; d++) {
      sb.append(d == 0 ? "" : ", ").append(idx[d]);
    }
    return sb.append(']').toString();
  }

  /**
   * Command line: {@code SelfCheck MODEL.onnx} replays the samples in the model; prints one line
   * and exits 0 when they match, 1 on a mismatch, 2 when the model cannot be opened.
   *
   * @param args the model path
   */
  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: SelfCheck MODEL.onnx");
      System.exit(2);
    }
    try (ModelRunner runner = ModelRunner.open(Path.of(args[0]))) {
      SelfCheckReport report = run(runner);
      System.out.println(
          "self-check passed: "
              + report.samples()
              + " samples, outputs "
              + report.outputs()
              + " (rtol "
              + report.rtol()
              + ", atol "
              + report.atol()
              + ")");
    } catch (SelfCheckException e) {
      System.err.println(e.getMessage());
      System.exit(1);
    } catch (IOException e) {
      System.err.println(e.getMessage());
      System.exit(2);
    }
  }
}
