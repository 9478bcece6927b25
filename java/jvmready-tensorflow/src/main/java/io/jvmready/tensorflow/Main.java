package io.jvmready.tensorflow;

import io.jvmready.DType;
import io.jvmready.IntegerWidthException;
import io.jvmready.Npz;
import io.jvmready.NpzWriter;
import io.jvmready.Tensor;
import io.jvmready.Tensors;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.Signature;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.DataType;

/**
 * Command-line runner used by {@code jvmready verify --java} on a SavedModel: {@code run --model
 * DIR --inputs IN.npz --output OUT.npz [--signature KEY] [--stacked]} feeds every array of {@code
 * IN.npz} to the signature (converted, with checks, to the declared dtypes) and writes every int32,
 * int64 and float32 output to {@code OUT.npz}. With {@code --stacked}, every array has a leading
 * axis of S samples: the signature runs S times in this one JVM and every output gains that axis.
 * On success it prints one JSON line: {@code {"tf_version": ..., "java_version": ..., "runs": S,
 * "load_ms": ..., "run_ms": ...}}. Exit 0 on success, 2 for bad arguments or inputs (one line on
 * stderr naming the input), 1 when TensorFlow fails to run the model.
 */
public final class Main {
  /** Starts every line of ours on stderr, which TensorFlow's own log lines share. */
  static final String PREFIX = "jvmready-java: ";

  private Main() {}

  /**
   * Runs the command and exits with its status.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Runs the command.
   *
   * @param args the command line
   * @param out where the JSON summary goes
   * @param err where the one-line error goes
   * @return the exit status
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Map<String, String> opts = new LinkedHashMap<>();
    boolean stacked = false;
    boolean usage = args.length == 0 || !args[0].equals("run");
    for (int i = 1; !usage && i < args.length; i++) {
      if (args[i].equals("--stacked")) {
        stacked = true;
      } else if (args[i].startsWith("--") && i + 1 < args.length) {
        opts.put(args[i], args[++i]);
      } else {
        usage = true;
      }
    }
    if (usage) {
      err.println(
          PREFIX
              + "usage: run --model DIR --inputs IN.npz --output OUT.npz [--signature KEY]"
              + " [--stacked]");
      return 2;
    }
    for (String required : List.of("--model", "--inputs", "--output")) {
      if (!opts.containsKey(required)) {
        err.println(PREFIX + "missing " + required);
        return 2;
      }
    }
    Path model = Path.of(opts.get("--model"));
    String signature = opts.getOrDefault("--signature", Signature.DEFAULT_KEY);
    Path inputs = Path.of(opts.get("--inputs"));
    long t0 = System.nanoTime();
    try (Npz in = Npz.open(inputs);
        SavedModelRunner runner = SavedModelRunner.open(model, signature)) {
      long t1 = System.nanoTime();
      Map<String, Tensor> arrays = new LinkedHashMap<>();
      for (String name : in.names()) {
        arrays.put(name, in.get(name));
      }
      List<Tensor> results = new ArrayList<>();
      int runs;
      if (stacked) {
        Samples samples = new Samples(inputs, arrays);
        runs = samples.count();
        Map<String, List<Samples.Column>> columns = new LinkedHashMap<>();
        for (int i = 0; i < runs; i++) {
          try (Outputs o = runner.run(samples.sample(i))) {
            for (String name : o.names()) {
              columns.computeIfAbsent(name, k -> new ArrayList<>()).add(column(o, name));
            }
          }
        }
        columns.forEach((name, c) -> results.add(samples.stack(name, c)));
      } else {
        runs = 1;
        try (Outputs o = runner.run(arrays)) {
          for (String name : o.names()) {
            Samples.Column c = column(o, name);
            results.add(Tensors.wrap(name, c.dtype(), c.shape(), c.data()));
          }
        }
      }
      long t2 = System.nanoTime();
      NpzWriter.write(Path.of(opts.get("--output")), results);
      out.println(summary(runs, t1 - t0, t2 - t1));
      return 0;
    } catch (IntegerWidthException | IllegalArgumentException | IOException e) {
      err.println(PREFIX + e.getMessage());
      return 2;
    } catch (RuntimeException e) {
      err.println(PREFIX + model + ": TensorFlow Java failed: " + e);
      return 1;
    }
  }

  private static String summary(int runs, long loadNanos, long runNanos) {
    return String.format(
        Locale.ROOT,
        "{\"tf_version\": \"%s\", \"java_version\": \"%s\", \"runs\": %d, \"load_ms\": %.3f,"
            + " \"run_ms\": %.3f}",
        jsonText(TensorFlow.version()),
        jsonText(System.getProperty("java.version")),
        runs,
        loadNanos / 1e6,
        runNanos / 1e6);
  }

  private static String jsonText(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c >= ' ') {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static Samples.Column column(Outputs out, String name) {
    long[] shape = out.shape(name);
    DataType type = out.tensor(name).dataType();
    ByteBuffer b;
    DType dtype;
    switch (type) {
      case DT_INT32 -> {
        int[] v = out.ints(name);
        b = buffer(v.length, 4);
        b.asIntBuffer().put(v);
        dtype = DType.INT32;
      }
      case DT_INT64 -> {
        long[] v = out.longs(name);
        b = buffer(v.length, 8);
        b.asLongBuffer().put(v);
        dtype = DType.INT64;
      }
      case DT_FLOAT -> {
        float[] v = out.floats(name);
        b = buffer(v.length, 4);
        b.asFloatBuffer().put(v);
        dtype = DType.FLOAT32;
      }
      default -> throw new IllegalArgumentException(
          "output '" + name + "' is " + type + "; the runner writes int32, int64 and float32");
    }
    return new Samples.Column(dtype, shape, b);
  }

  private static ByteBuffer buffer(int count, int itemSize) {
    return ByteBuffer.allocate(Math.multiplyExact(count, itemSize)).order(ByteOrder.LITTLE_ENDIAN);
  }
}
