package io.jvmready.onnxruntime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmready.NpyWriter;
import io.jvmready.Npz;
import io.jvmready.Tensor;
import io.jvmready.Tensors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command-line runner, in process: npz in, npz out, one JSON line, one-line errors. */
class MainTest {
  private static final String JSON =
      "\\{\"ort_version\": \"1\\.23\\.2\", \"java_version\": \"[^\"]+\", \"runs\": 1,"
          + " \"load_ms\": [0-9.]+, \"run_ms\": [0-9.]+\\}";

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int main(String... args) {
    out.reset();
    err.reset();
    return Main.execute(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  /** {@code run --model <model> --inputs in --output result [extra...]}. */
  private int run(String model, Path in, Path result, String... extra) {
    String[] base = {
      "run", "--model", Models.model(model).toString(), "--inputs", in.toString(),
      "--output", result.toString()
    };
    String[] args = Arrays.copyOf(base, base.length + extra.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return main(args);
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** An npz with the given tensors, written like np.savez. */
  private static Path npz(Path file, Tensor... tensors) throws IOException {
    try (OutputStream f = Files.newOutputStream(file);
        ZipOutputStream zip = new ZipOutputStream(f)) {
      for (Tensor t : tensors) {
        zip.putNextEntry(new ZipEntry(t.name() + ".npy"));
        NpyWriter.write(zip, t);
        zip.closeEntry();
      }
    }
    return file;
  }

  @Test
  void runWritesEveryOutputAndOneJsonLine(@TempDir Path tmp) throws IOException {
    Path result = tmp.resolve("out.npz");
    assertEquals(0, run("logreg", Models.dir().resolve("logreg.inputs.npz"), result), stderr());
    String json = stdout().trim();
    assertFalse(json.contains("\n"), json);
    assertTrue(json.matches(JSON), json);
    try (Npz got = Npz.open(result);
        Npz want = Npz.open(Models.dir().resolve("logreg.expected.npz"))) {
      assertEquals(want.names().size(), got.names().size());
      for (String n : want.names()) {
        Tensor w = want.get(n);
        Tensor g = got.get(n);
        assertEquals(w.dtype(), g.dtype(), n);
        assertArrayEquals(w.shape(), g.shape(), n);
        assertArrayEquals(w.toDoubleArray(), g.toDoubleArray(), 0.0, n);
      }
    }
  }

  @Test
  void stackedRunsEachSampleAndStacksOutputs(@TempDir Path tmp) throws IOException {
    long[] ids = {1, -2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    Path in = npz(tmp.resolve("in.npz"), Tensors.ofLongs("ids", ids, 4, 1, 3));
    Path result = tmp.resolve("out.npz");
    assertEquals(0, run("int32_model", in, result, "--stacked"), stderr());
    assertTrue(stdout().contains("\"runs\": 4"), stdout());
    try (ModelRunner r = ModelRunner.open(Models.model("int32_model"));
        Npz got = Npz.open(result)) {
      assertArrayEquals(new long[] {4, 1, 3}, got.get("y").shape());
      assertArrayEquals(new long[] {4, 1}, got.get("s").shape());
      int[] y = got.get("y").toIntArrayExact();
      for (int i = 0; i < 4; i++) {
        int[][] sample = {{(int) ids[3 * i], (int) ids[3 * i + 1], (int) ids[3 * i + 2]}};
        int[] one = r.run("ids", sample).intsExact("y");
        assertArrayEquals(one, Arrays.copyOfRange(y, 3 * i, 3 * i + 3));
      }
    }
  }

  @Test
  void valueTooWideForInt32InputFailsNamingInputIndexAndValue(@TempDir Path tmp)
      throws IOException {
    long[] ids = {1, 2, 3, 4, (1L << 31) + 5, 6};
    Path in = npz(tmp.resolve("in.npz"), Tensors.ofLongs("ids", ids, 2, 3));
    Path result = tmp.resolve("out.npz");
    assertEquals(1, run("int32_model", in, result));
    assertEquals(
        "jvmready-java: error: "
            + in
            + ": input 'ids': value 2147483653 at flat index 4 does not fit"
            + " int32 (model declares tensor(int32) [batch, 3])\n",
        stderr());
    assertFalse(Files.exists(result));
  }

  @Test
  void badFilesAndUsageExitTwoWithOneLine(@TempDir Path tmp) throws IOException {
    Path o = tmp.resolve("o.npz");
    Path missing = tmp.resolve("missing.npz");
    assertEquals(2, run("int64_model", missing, o));
    assertEquals("jvmready-java: error: " + missing + ": no such file\n", stderr());

    Path wrong = npz(tmp.resolve("wrong.npz"), Tensors.ofLongs("idz", new long[] {1, 2, 3}, 1, 3));
    assertEquals(2, run("int64_model", wrong, o));
    assertEquals(
        "jvmready-java: error: "
            + wrong
            + ": array 'idz' is not a model input; model inputs: ids (tensor(int64) [batch, 3])\n",
        stderr());

    Path shape =
        npz(tmp.resolve("shape.npz"), Tensors.ofLongs("ids", new long[] {1, 2, 3, 4}, 1, 4));
    assertEquals(2, run("int64_model", shape, o));
    assertEquals(
        "jvmready-java: error: "
            + shape
            + ": input 'ids': model declares tensor(int64) [batch, 3]; given LongBuffer [1, 4]\n",
        stderr());

    assertEquals(2, run("int64_model", shape, shape));
    assertTrue(stderr().contains("refusing to overwrite an input file"), stderr());
    assertFalse(Files.exists(o));

    assertEquals(2, main("run", "--model", Models.model("int64_model").toString()));
    assertTrue(
        stderr().startsWith("jvmready-java: error: run needs --model, --inputs and --output;"),
        stderr());
    assertEquals(1, stderr().trim().split("\n").length);
  }

  @Test
  void signaturePrintsJavaTypes() {
    assertEquals(0, main("signature", "--model", Models.model("logreg").toString()), stderr());
    String s = stdout();
    assertTrue(s.contains("  X: tensor(float) [?, 4] <- float[][]"), s);
    assertTrue(
        s.contains("  output_label: tensor(int64) [?] -> long[] longs(\"output_label\")"), s);
    assertTrue(
        s.contains(
            "  output_probability: seq(map(int64,tensor(float))) -> List<Map<Long, Float>>"
                + " zipMap(\"output_probability\")"),
        s);
  }
}
