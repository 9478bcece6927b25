package io.jvmready.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jvmready.IntegerWidthException;
import io.jvmready.Tensors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Runs the SavedModel Python TensorFlow wrote, and the one {@code jvmready fix} made of it (see
 * {@code tests/vectors/make_tf.py}), in TF Java: the user's error on the original, int32 accepted
 * by the fixed model, and outputs equal to what Python TensorFlow computed.
 */
class SavedModelRunnerTest {

  /** One line of {@code manifest.tsv}. */
  private record Line(String model, String direction, String name, String dtype, long[] shape, String[] values) {
    static Line parse(String text) {
      String[] f = text.split("\t", -1);
      long[] shape =
          f[4].isEmpty() ? new long[0] : Arrays.stream(f[4].split(",")).mapToLong(Long::parseLong).toArray();
      return new Line(f[0], f[1], f[2], f[3], shape, f[5].isEmpty() ? new String[0] : f[5].split(","));
    }

    long[] longs() {
      return Arrays.stream(values).mapToLong(Long::parseLong).toArray();
    }

    int[] ints() {
      return Arrays.stream(values).mapToInt(Integer::parseInt).toArray();
    }

    float[] floats() {
      float[] out = new float[values.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = Float.parseFloat(values[i]);
      }
      return out;
    }
  }

  private static Path dir() {
    String base = System.getProperty("jvmready.testdata");
    if (base == null) {
      fail("system property jvmready.testdata is not set; run the tests through Maven (make test-integration)");
    }
    Path d = Path.of(base, "tf");
    if (!Files.isRegularFile(d.resolve("manifest.tsv"))) {
      fail("vectors missing: " + d.resolve("manifest.tsv") + "; run `make test-integration`");
    }
    return d;
  }

  private static List<Line> manifest(String model) throws IOException {
    List<Line> out = new ArrayList<>();
    for (String text : Files.readAllLines(dir().resolve("manifest.tsv"), StandardCharsets.UTF_8)) {
      if (!text.isBlank() && text.startsWith(model + "\t")) {
        out.add(Line.parse(text));
      }
    }
    assertEquals(4, out.size(), model + ": one input and three outputs in the manifest");
    return out;
  }

  private static Line find(List<Line> lines, String name) {
    return lines.stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void originalRejectsInt32WithTheUsersError() throws IOException {
    Line input = find(manifest("original"), "token_ids");
    assertEquals("int64", input.dtype());
    try (SavedModelBundle bundle = SavedModelBundle.load(dir().resolve("original").toString(), "serve");
        TInt32 ids = TInt32.tensorOf(Shape.of(input.shape()), DataBuffers.of(input.ints()))) {
      assertEquals(
          DataType.DT_INT64, bundle.function("serving_default").signature().getInputs().get("token_ids").dataType);
      TFInvalidArgumentException e =
          assertThrows(
              TFInvalidArgumentException.class,
              () -> bundle.function("serving_default").call(Map.of("token_ids", ids)).close());
      assertTrue(
          e.getMessage().contains("Expects arg[0] to be int64 but int32 is provided"), e.getMessage());
    }
  }

  @Test
  void fixedTakesInt32InTfJavaDirectly() throws IOException {
    List<Line> lines = manifest("fixed");
    Line input = find(lines, "token_ids");
    assertEquals("int32", input.dtype());
    try (SavedModelBundle bundle = SavedModelBundle.load(dir().resolve("fixed").toString(), "serve");
        TInt32 ids = TInt32.tensorOf(Shape.of(input.shape()), DataBuffers.of(input.ints()));
        Result result = bundle.function("serving_default").call(Map.of("token_ids", ids))) {
      TInt32 label = (TInt32) result.get("label").orElseThrow();
      int[] got = new int[(int) label.shape().size()];
      label.copyTo(DataBuffers.of(got, false, false));
      assertArrayEquals(find(lines, "label").ints(), got);
      assertTrue(result.get("id_sum").orElseThrow() instanceof TInt64, "id_sum has no proof: kept int64");
    }
  }

  @Test
  void runnerFeedsIntsToBothModelsWithPythonsResults() throws IOException {
    for (String model : List.of("original", "fixed")) {
      List<Line> lines = manifest(model);
      Line input = find(lines, "token_ids");
      int[] ids = input.ints();
      try (SavedModelRunner runner = SavedModelRunner.open(dir().resolve(model));
          Outputs out = runner.run(Map.of("token_ids", Tensors.ofInts("ids", ids, input.shape())))) {
        assertEquals(runner.signature().getOutputs().keySet(), out.names(), model);
        for (Line expected : lines.subList(1, lines.size())) {
          String name = expected.name();
          assertArrayEquals(expected.shape(), out.shape(name), model + " " + name);
          switch (expected.dtype()) {
            case "int64", "int32" -> {
              assertArrayEquals(expected.longs(), out.longs(name), model + " " + name);
              assertArrayEquals(expected.ints(), out.ints(name), model + " " + name);
            }
            case "float32" -> assertArrayEquals(expected.floats(), out.floats(name), 0.0f, model + " " + name);
            default -> fail("manifest dtype not covered: " + expected.dtype());
          }
        }
      }
    }
  }

  @Test
  void runnerRefusesLongsBeyondInt32ForTheFixedInput() {
    long[] ids = {1, 2, 3, 9, 2147483648L, 4};
    try (SavedModelRunner runner = SavedModelRunner.open(dir().resolve("fixed"))) {
      IntegerWidthException e =
          assertThrows(
              IntegerWidthException.class,
              () -> runner.run(Map.of("token_ids", Tensors.ofLongs("ids", ids, 2, 3))).close());
      assertEquals("token_ids", e.tensor());
      assertEquals(4, e.index());
      assertEquals("2147483648", e.value());
    }
  }

  @Test
  void runnerNamesUnknownMissingAndMisshapenInputs() {
    try (SavedModelRunner runner = SavedModelRunner.open(dir().resolve("original"))) {
      IllegalArgumentException unknown =
          assertThrows(
              IllegalArgumentException.class,
              () -> runner.run(Map.of("ids", Tensors.ofInts("ids", new int[] {1, 2, 3}, 1, 3))).close());
      assertTrue(unknown.getMessage().contains("unknown input 'ids'"), unknown.getMessage());
      assertTrue(unknown.getMessage().contains("[token_ids]"), unknown.getMessage());
      IllegalArgumentException missing =
          assertThrows(IllegalArgumentException.class, () -> runner.run(Map.of()).close());
      assertTrue(missing.getMessage().contains("input 'token_ids'"), missing.getMessage());
      IllegalArgumentException shape =
          assertThrows(
              IllegalArgumentException.class,
              () -> runner.run(Map.of("token_ids", Tensors.ofInts("t", new int[] {1, 2}, 1, 2))).close());
      assertTrue(shape.getMessage().contains("input 'token_ids' has shape"), shape.getMessage());
    }
    IllegalArgumentException signature =
        assertThrows(IllegalArgumentException.class, () -> SavedModelRunner.open(dir().resolve("original"), "predict"));
    assertTrue(signature.getMessage().contains("[serving_default]"), signature.getMessage());
  }
}
