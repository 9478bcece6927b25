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
import java.util.Map;
import org.tensorflow.Signature;
import org.tensorflow.proto.DataType;

/**
 * Command-line runner used by {@code jvmready.tensorflow.verify_java}: {@code run --model DIR
 * --inputs IN.npz --output OUT.npz [--signature KEY]} feeds every array of {@code IN.npz} to the
 * signature (converted, with checks, to the declared dtypes) and writes every int32, int64 and
 * float32 output to {@code OUT.npz}. Exit 0 on success, 2 for bad arguments or inputs (one line on
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
    System.exit(run(args, System.err));
  }

  /**
   * Runs the command.
   *
   * @param args the command line
   * @param err where the one-line error goes
   * @return the exit status
   */
  public static int run(String[] args, PrintStream err) {
    Map<String, String> opts = new LinkedHashMap<>();
    if (args.length == 0 || !args[0].equals("run") || args.length % 2 == 0) {
      err.println(PREFIX + "usage: run --model DIR --inputs IN.npz --output OUT.npz [--signature KEY]");
      return 2;
    }
    for (int i = 1; i < args.length; i += 2) {
      opts.put(args[i], args[i + 1]);
    }
    for (String required : List.of("--model", "--inputs", "--output")) {
      if (!opts.containsKey(required)) {
        err.println(PREFIX + "missing " + required);
        return 2;
      }
    }
    Path model = Path.of(opts.get("--model"));
    String signature = opts.getOrDefault("--signature", Signature.DEFAULT_KEY);
    try (Npz in = Npz.open(Path.of(opts.get("--inputs")));
        SavedModelRunner runner = SavedModelRunner.open(model, signature)) {
      Map<String, Tensor> feeds = new LinkedHashMap<>();
      for (String name : in.names()) {
        feeds.put(name, in.get(name));
      }
      List<Tensor> results = new ArrayList<>();
      try (Outputs out = runner.run(feeds)) {
        for (String name : out.names()) {
          results.add(toJvmready(out, name));
        }
      }
      NpzWriter.write(Path.of(opts.get("--output")), results);
      return 0;
    } catch (IntegerWidthException | IllegalArgumentException | IOException e) {
      err.println(PREFIX + e.getMessage());
      return 2;
    } catch (RuntimeException e) {
      err.println(PREFIX + model + ": TensorFlow Java failed: " + e);
      return 1;
    }
  }

  private static Tensor toJvmready(Outputs out, String name) {
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
    return Tensors.wrap(name, dtype, shape, b);
  }

  private static ByteBuffer buffer(int count, int itemSize) {
    return ByteBuffer.allocate(Math.multiplyExact(count, itemSize)).order(ByteOrder.LITTLE_ENDIAN);
  }
}
