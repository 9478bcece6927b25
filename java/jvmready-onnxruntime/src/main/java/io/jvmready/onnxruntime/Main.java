package io.jvmready.onnxruntime;

import io.jvmready.IntegerWidthException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Command-line entry point of the adapter, used by {@code jvmready verify --java}:
 *
 * <pre>
 * run --model M.onnx --inputs in.npz --output out.npz [--stacked]
 * signature --model M.onnx
 * </pre>
 *
 * <p>{@code run} feeds the arrays of {@code in.npz} to the model's inputs of the same names
 * (int32 inputs from {@code int[]}, checked), runs it (S times in this one JVM with {@code
 * --stacked}, sample i of every array's leading axis each time) and writes every output to {@code
 * out.npz}: a tensor output {@code y} as entry {@code y} in its ONNX dtype, a sequence-of-maps
 * output {@code p} as {@code p.keys} and {@code p.values} of shape {@code [n, k]} ({@code [S, n,
 * k]} stacked). It prints one JSON line: {@code {"ort_version": ..., "java_version": ..., "runs":
 * S, "load_ms": ..., "run_ms": ...}}.
 *
 * <p>{@code signature} prints each input and output with the Java type to use for it.
 *
 * <p>Errors are one line on stderr naming the file or input: exit code 2 for bad files, inputs
 * or usage, 1 when the run fails (a value that does not fit, ONNX Runtime errors), 3 for a bug.
 */
public final class Main {
  static final int EXIT_OK = 0;
  static final int EXIT_RUN_FAILED = 1;
  static final int EXIT_USAGE = 2;
  static final int EXIT_INTERNAL = 3;

  private static final String USAGE =
      "usage: Main run --model M.onnx --inputs in.npz --output out.npz [--stacked]"
          + " | Main signature --model M.onnx";

  private Main() {}

  /**
   * Runs the command and exits with its status.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    System.exit(execute(args, System.out, System.err));
  }

  /**
   * Runs the command without exiting (for tests and embedding).
   *
   * @param args the command line
   * @param out where results go
   * @param err where the one-line error goes
   * @return the exit status
   */
  public static int execute(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
      out.println(USAGE);
      return EXIT_OK;
    }
    Map<String, String> opts = new HashMap<>();
    boolean stacked = false;
    if (args.length == 0) {
      return usage(err, "no command");
    }
    String command = args[0];
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--stacked") && command.equals("run")) {
        stacked = true;
      } else if ((a.equals("--model") || a.equals("--inputs") || a.equals("--output"))
          && i + 1 < args.length) {
        opts.put(a, args[++i]);
      } else {
        return usage(err, "unexpected argument '" + a + "'");
      }
    }
    String inputs = opts.get("--inputs");
    try {
      switch (command) {
        case "run":
          {
            String model = opts.get("--model");
            String output = opts.get("--output");
            if (model == null || inputs == null || output == null) {
              return usage(err, "run needs --model, --inputs and --output");
            }
            NpzRun.Summary s =
                NpzRun.run(Path.of(model), Path.of(inputs), Path.of(output), stacked);
            out.println(
                String.format(
                    Locale.ROOT,
                    "{\"ort_version\": \"%s\", \"java_version\": \"%s\", \"runs\": %d,"
                        + " \"load_ms\": %.3f, \"run_ms\": %.3f}",
                    jsonEscape(s.ortVersion()),
                    jsonEscape(System.getProperty("java.version")),
                    s.runs(),
                    s.loadMs(),
                    s.runMs()));
            return EXIT_OK;
          }
        case "signature":
          {
            String model = opts.get("--model");
            if (model == null || opts.size() != 1) {
              return usage(err, "signature needs --model only");
            }
            try (ModelRunner r = ModelRunner.open(Path.of(model))) {
              out.print(signature(r));
            }
            return EXIT_OK;
          }
        default:
          return usage(err, "unknown command '" + command + "'");
      }
    } catch (NoSuchFileException e) {
      return fail(err, e.getFile() + ": no such file", EXIT_USAGE);
    } catch (AccessDeniedException e) {
      return fail(err, e.getFile() + ": permission denied", EXIT_USAGE);
    } catch (IOException | NpzRun.BadInputException e) {
      return fail(err, e.getMessage(), EXIT_USAGE);
    } catch (ModelInputException e) {
      return fail(err, inputs + ": " + e.getMessage(), EXIT_USAGE);
    } catch (IntegerWidthException e) {
      return fail(err, inputs + ": " + e.getMessage(), EXIT_RUN_FAILED);
    } catch (ModelRunException | OutputStack.StackException e) {
      return fail(err, e.getMessage(), EXIT_RUN_FAILED);
    } catch (RuntimeException e) {
      return fail(
          err,
          "internal error: "
              + e.getClass().getName()
              + ": "
              + e.getMessage()
              + " (please report it)",
          EXIT_INTERNAL);
    }
  }

  /** Inputs and outputs with the Java types to use, one per line. */
  static String signature(ModelRunner r) {
    StringBuilder sb = new StringBuilder("inputs:\n");
    for (IoSpec s : r.inputs().values()) {
      sb.append("  ")
          .append(s.name())
          .append(": ")
          .append(s.describe())
          .append(" <- ")
          .append(s.javaType())
          .append(inputNote(s))
          .append('\n');
    }
    sb.append("outputs:\n");
    for (IoSpec s : r.outputs().values()) {
      sb.append("  ")
          .append(s.name())
          .append(": ")
          .append(s.describe())
          .append(" -> ")
          .append(outputAccessor(s))
          .append('\n');
    }
    return sb.toString();
  }

  private static String inputNote(IoSpec s) {
    if (s.kind() != IoSpec.Kind.TENSOR) {
      return " (not supported as an input by ModelRunner)";
    }
    switch (s.elementType()) {
      case "int64":
        return " (int, short, byte arrays widen)";
      case "int32":
        return " (long arrays accepted, every value range-checked)";
      case "int16":
      case "int8":
      case "uint8":
        return " (any integer array, every value range-checked)";
      case "float":
        return " (double arrays rounded to the nearest float)";
      case "double":
        return " (float arrays widen)";
      default:
        return "";
    }
  }

  private static String outputAccessor(IoSpec s) {
    String q = "(\"" + s.name() + "\")";
    if (s.isSequenceOfMaps()) {
      return s.keyType().equals("string")
          ? "List<Map<String, Float>> zipMapStrings" + q
          : "List<Map<Long, Float>> zipMap" + q;
    }
    if (s.kind() != IoSpec.Kind.TENSOR) {
      return "(not readable through Result)";
    }
    switch (s.elementType()) {
      case "int64":
        return "long[] longs" + q + " (int[] intsExact" + q + ", checked)";
      case "int32":
      case "int16":
      case "int8":
        return "int[] intsExact" + q + " (long[] longs" + q + ")";
      case "uint8":
      case "uint16":
      case "uint32":
        return "long[] longs" + q;
      case "float":
      case "float16":
      case "bfloat16":
        return "float[] floats" + q;
      case "double":
        return "double[] doubles" + q;
      case "bool":
        return "boolean[] booleans" + q;
      case "string":
        return "String[] strings" + q;
      default:
        return "(not readable through Result)";
    }
  }

  private static int usage(PrintStream err, String problem) {
    err.println("jvmready-java: error: " + problem + "; " + USAGE);
    return EXIT_USAGE;
  }

  private static int fail(PrintStream err, String message, int code) {
    err.println("jvmready-java: error: " + message.replace('\n', ' '));
    return code;
  }

  private static String jsonEscape(String s) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
