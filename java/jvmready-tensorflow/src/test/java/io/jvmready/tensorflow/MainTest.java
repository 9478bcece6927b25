package io.jvmready.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jvmready.DType;
import io.jvmready.Npz;
import io.jvmready.NpzWriter;
import io.jvmready.Tensor;
import io.jvmready.Tensors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Main run --stacked}: S samples in one JVM, outputs stacked in sample order and equal to
 * running each sample on its own; the JSON summary; one-line errors for stacked inputs that do not
 * line up.
 */
class MainTest {
  private static final int[] SAMPLE_0 = {1, 2, 3, 9, 0, 4};
  private static final int[] SAMPLE_1 = {5, 5, 5, 0, 1, 2};

  private static Path fixed() {
    String base = System.getProperty("jvmready.testdata");
    if (base == null) {
      fail("system property jvmready.testdata is not set; run the tests through Maven");
    }
    Path d = Path.of(base, "tf", "fixed");
    if (!Files.isDirectory(d)) {
      fail(d + " is missing: run `make test-tf` (tests/vectors/make_tf.py writes it)");
    }
    return d;
  }

  private record Run(int status, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        Main.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static Run runModel(Path in, Path out, boolean stacked) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of("run", "--model", fixed().toString(), "--inputs", in.toString(), "--output", out.toString()));
    if (stacked) {
      args.add("--stacked");
    }
    return run(args.toArray(new String[0]));
  }

  @Test
  void stackedRunsEverySampleAndStacksTheOutputs(@TempDir Path tmp) throws IOException {
    int[] both = new int[SAMPLE_0.length * 2];
    System.arraycopy(SAMPLE_0, 0, both, 0, SAMPLE_0.length);
    System.arraycopy(SAMPLE_1, 0, both, SAMPLE_0.length, SAMPLE_1.length);
    NpzWriter.write(tmp.resolve("in.npz"), List.of(Tensors.ofInts("token_ids", both, 2, 2, 3)));
    Run stacked = runModel(tmp.resolve("in.npz"), tmp.resolve("out.npz"), true);
    assertEquals(0, stacked.status(), stacked.err());
    assertTrue(stacked.out().contains("\"runs\": 2"), stacked.out());
    assertTrue(stacked.out().contains("\"tf_version\": \"2."), stacked.out());

    int[][] samples = {SAMPLE_0, SAMPLE_1};
    try (Npz all = Npz.open(tmp.resolve("out.npz"))) {
      assertEquals(List.of("id_sum", "label", "logits"), all.names().stream().sorted().toList());
      for (int s = 0; s < 2; s++) {
        Path one = tmp.resolve("in" + s + ".npz");
        NpzWriter.write(one, List.of(Tensors.ofInts("token_ids", samples[s], 2, 3)));
        Run single = runModel(one, tmp.resolve("out" + s + ".npz"), false);
        assertEquals(0, single.status(), single.err());
        try (Npz alone = Npz.open(tmp.resolve("out" + s + ".npz"))) {
          for (String name : alone.names()) {
            Tensor whole = all.get(name);
            Tensor part = alone.get(name);
            assertEquals(2, whole.shape()[0], name);
            assertArrayEquals(part.shape(), java.util.Arrays.copyOfRange(whole.shape(), 1, whole.shape().length), name);
            int n = Math.toIntExact(part.size());
            for (int i = 0; i < n; i++) {
              assertEquals(part.getDouble(i), whole.getDouble((long) s * n + i), name + "[" + i + "]");
            }
          }
        }
      }
      assertEquals(DType.INT32, all.get("label").dtype());
    }
  }

  @Test
  void stackedInputsThatDoNotLineUpAreOneLine(@TempDir Path tmp) throws IOException {
    NpzWriter.write(
        tmp.resolve("uneven.npz"),
        List.of(
            Tensors.ofInts("token_ids", new int[12], 2, 2, 3),
            Tensors.ofInts("other", new int[3], 3)));
    Run uneven = runModel(tmp.resolve("uneven.npz"), tmp.resolve("out.npz"), true);
    assertEquals(2, uneven.status());
    assertTrue(
        uneven.err().contains("--stacked arrays differ in length: 'token_ids' has 2 samples, 'other' has 3"),
        uneven.err());
    assertEquals(1, uneven.err().lines().filter(l -> l.startsWith(Main.PREFIX)).count(), uneven.err());

    Run usage = run("run", "--model");
    assertEquals(2, usage.status());
    assertTrue(usage.err().contains("usage: run --model DIR"), usage.err());
  }
}
