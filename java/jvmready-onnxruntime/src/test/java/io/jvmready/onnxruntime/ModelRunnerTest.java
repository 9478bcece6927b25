package io.jvmready.onnxruntime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmready.IntegerWidthException;
import io.jvmready.Tensor;
import io.jvmready.Tensors;
import java.io.IOException;
import java.nio.DoubleBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ModelRunner on real models with real ONNX Runtime Java: conversions, checks and messages. */
class ModelRunnerTest {

  @Test
  void declaredInputsAndOutputsKeepModelOrderShapesAndDimNames() throws IOException {
    try (ModelRunner r = ModelRunner.open(Models.model("multi_input"))) {
      assertEquals(List.of("a", "b", "idx"), List.copyOf(r.inputs().keySet()));
      IoSpec a = r.inputs().get("a");
      assertEquals(IoSpec.Kind.TENSOR, a.kind());
      assertEquals("int64", a.elementType());
      assertArrayEquals(new long[] {-1, -1}, a.shape());
      assertEquals(List.of("batch", "n"), a.dimNames());
      assertEquals("tensor(int64) [batch, n]", a.describe());
      assertEquals("long[][]", a.javaType());
      assertEquals("float", r.inputs().get("b").elementType());
      assertEquals(List.of("gathered", "a_plus", "a_shape"), List.copyOf(r.outputs().keySet()));
      assertArrayEquals(new long[] {2}, r.outputs().get("a_shape").shape());
    }
  }

  @Test
  void zipMapOutputIsDescribedAsSequenceOfMaps() throws IOException {
    try (ModelRunner r = ModelRunner.open(Models.model("logreg"))) {
      IoSpec p = r.outputs().get("output_probability");
      assertEquals(IoSpec.Kind.SEQUENCE, p.kind());
      assertTrue(p.isSequenceOfMaps());
      assertEquals("int64", p.keyType());
      assertEquals("float", p.elementType());
      assertEquals("seq(map(int64,tensor(float)))", p.onnxType());
      assertEquals("List<Map<Long, Float>>", p.javaType());
      assertEquals("logreg", r.metadata().get("jvmready.test"));
    }
  }

  @Test
  void intArrayWidensIntoInt64InputLikeLongArray() throws IOException {
    int[][] ints = {{1, -2, 3}, {Integer.MAX_VALUE, 5, Integer.MIN_VALUE}};
    long[][] longs = {{1, -2, 3}, {Integer.MAX_VALUE, 5, Integer.MIN_VALUE}};
    try (ModelRunner r = ModelRunner.open(Models.model("int64_model"))) {
      long[] fromLongs = r.run("ids", longs).longs("y");
      assertArrayEquals(fromLongs, r.run("ids", ints).longs("y"));
      int[] flat = {1, -2, 3, Integer.MAX_VALUE, 5, Integer.MIN_VALUE};
      assertArrayEquals(fromLongs, r.run("ids", Input.of(IntBuffer.wrap(flat), 2, 3)).longs("y"));
      short[][] shorts = {{1, -2, 3}};
      assertArrayEquals(
          r.run("ids", new long[][] {{1, -2, 3}}).longs("s"), r.run("ids", shorts).longs("s"));
      // 3 * MAX_VALUE + 2 does not fit an int: the int64 model computes it, intsExact refuses it.
      assertEquals(3L * Integer.MAX_VALUE + 2, fromLongs[3]);
      try (Result res = r.run("ids", ints)) {
        IntegerWidthException e =
            assertThrows(IntegerWidthException.class, () -> res.intsExact("y"));
        assertEquals("y", e.tensor());
        assertEquals(3, e.index());
        assertEquals(Long.toString(3L * Integer.MAX_VALUE + 2), e.value());
      }
    }
  }

  @Test
  void longArrayIntoInt32InputIsRangeChecked() throws IOException {
    try (ModelRunner r = ModelRunner.open(Models.model("int32_model"))) {
      int[][] ints = {{1, -2, 3}, {7, 5, -9}};
      long[][] longs = {{1, -2, 3}, {7, 5, -9}};
      Result viaInts = r.run("ids", ints);
      assertEquals("tensor(int32)", viaInts.type("y"));
      assertArrayEquals(viaInts.intsExact("y"), r.run("ids", longs).intsExact("y"));
      assertArrayEquals(
          viaInts.intsExact("s"),
          r.run("ids", Input.of(LongBuffer.wrap(new long[] {1, -2, 3, 7, 5, -9}), 2, 3))
              .intsExact("s"));

      long big = (1L << 31) + 5;
      long[][] tooBig = {{1, -2, 3}, {7, big, -9}};
      InputWidthException e =
          assertThrows(InputWidthException.class, () -> r.run("ids", tooBig));
      assertEquals("ids", e.input());
      assertEquals(4, e.index());
      assertEquals("2147483653", e.value());
      assertEquals("int32", e.targetType());
      assertEquals(
          "input 'ids': value 2147483653 at flat index 4 does not fit int32"
              + " (model declares tensor(int32) [batch, 3])",
          e.getMessage());
    }
  }

  @Test
  void wrongShapeNamesInputDeclarationAndWhatWasGiven() throws IOException {
    try (ModelRunner r = ModelRunner.open(Models.model("int64_model"))) {
      ModelInputException e =
          assertThrows(ModelInputException.class, () -> r.run("ids", new int[3][5]));
      assertEquals("ids", e.input());
      assertEquals(
          "input 'ids': model declares tensor(int64) [batch, 3]; given int[3][5]", e.getMessage());
      e = assertThrows(ModelInputException.class, () -> r.run("ids", new long[] {1, 2, 3}));
      assertEquals(
          "input 'ids': model declares tensor(int64) [batch, 3]; given long[3]", e.getMessage());
      e =
          assertThrows(
              ModelInputException.class, () -> r.run("ids", new long[][] {{1, 2, 3}, {4, 5}}));
      assertTrue(e.getMessage().startsWith("input 'ids': given a ragged long[][]"), e.getMessage());
    }
  }

  @Test
  void integersAndFloatsAreNotMixedImplicitly() throws IOException {
    try (ModelRunner f = ModelRunner.open(Models.model("float_model"));
        ModelRunner i = ModelRunner.open(Models.model("int64_model"))) {
      ModelInputException e =
          assertThrows(ModelInputException.class, () -> f.run("x", new int[2][4]));
      assertEquals(
          "input 'x': model declares tensor(float) [batch, 4]; given int[2][4]: integers are not"
              + " converted to float implicitly; convert them in your code",
          e.getMessage());
      e = assertThrows(ModelInputException.class, () -> i.run("ids", new float[2][3]));
      assertTrue(
          e.getMessage().contains("given float[2][3]: floats are not converted to integers"),
          e.getMessage());
      e = assertThrows(ModelInputException.class, () -> i.run("ids", List.of(1L, 2L, 3L)));
      assertTrue(
          e.getMessage().startsWith("input 'ids': cannot take a java.util."), e.getMessage());
    }
  }

  @Test
  void unknownAndMissingInputsListTheDeclaredOnes() throws IOException {
    try (ModelRunner r = ModelRunner.open(Models.model("multi_input"))) {
      String declared =
          "model inputs: a (tensor(int64) [batch, n]), b (tensor(float) [batch, n]),"
              + " idx (tensor(int64) [k])";
      ModelInputException e =
          assertThrows(ModelInputException.class, () -> r.run("ids", new long[] {1}));
      assertEquals("unknown input 'ids'; " + declared, e.getMessage());
      Map<String, Object> partial = new LinkedHashMap<>();
      partial.put("a", new long[1][2]);
      partial.put("idx", new long[] {0});
      e = assertThrows(ModelInputException.class, () -> r.run(partial));
      assertEquals("missing input 'b'; " + declared, e.getMessage());
    }
  }

  @Test
  void floatAndDoubleConvertOnlyWhereTheModelDeclaresTheOther() throws IOException {
    double[][] d = {{0.1, -2.5, 1e-3, 3.0}, {1.0 / 3, 7, 8, 9}};
    float[][] f = new float[2][4];
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 4; j++) {
        f[i][j] = (float) d[i][j];
      }
    }
    try (ModelRunner fm = ModelRunner.open(Models.model("float_model"));
        ModelRunner dm = ModelRunner.open(Models.model("double_model"))) {
      // double into float rounds each value to the nearest float, as astype(float32) does.
      assertArrayEquals(fm.run("x", f).floats("y"), fm.run("x", d).floats("y"));
      ModelInputException e =
          assertThrows(
              ModelInputException.class, () -> fm.run("x", new double[][] {{1e300, 0, 0, 0}}));
      assertTrue(
          e.getMessage().contains("value 1.0E300 at flat index 0 is beyond the float range"),
          e.getMessage());
      // float into double widens exactly.
      double[][] widened = new double[2][4];
      for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 4; j++) {
          widened[i][j] = f[i][j];
        }
      }
      Result res = dm.run("x", f);
      assertArrayEquals(dm.run("x", widened).doubles("y"), res.doubles("y"));
      IllegalArgumentException wrong =
          assertThrows(IllegalArgumentException.class, () -> res.floats("y"));
      assertEquals(
          "output 'y' is tensor(double) [2, 4]; floats() reads a float tensor"
              + " (use doubles() for double)",
          wrong.getMessage());
    }
  }

  @Test
  void badModelFilesFailNamingTheFile(@TempDir Path tmp) throws IOException {
    Path missing = tmp.resolve("missing.onnx");
    IOException e = assertThrows(IOException.class, () -> ModelRunner.open(missing));
    assertEquals(missing + ": no such model file", e.getMessage());
    Path junk = tmp.resolve("junk.onnx");
    Files.writeString(junk, "not a model");
    e = assertThrows(IOException.class, () -> ModelRunner.open(junk));
    assertTrue(
        e.getMessage().startsWith(junk + ": ONNX Runtime cannot load the model: "),
        e.getMessage());
    assertThrows(IOException.class, () -> ModelRunner.open(new byte[] {1, 2, 3}));
  }

  @Test
  void modelOpensFromBytes() throws IOException {
    byte[] bytes = Files.readAllBytes(Models.model("int64_model"));
    try (ModelRunner a = ModelRunner.open(bytes);
        ModelRunner b = ModelRunner.open(Models.model("int64_model"))) {
      long[][] in = {{4, 5, 6}};
      assertArrayEquals(b.run("ids", in).longs("y"), a.run("ids", in).longs("y"));
      assertEquals(a.inputs(), b.inputs());
    }
  }

  @Test
  void sessionOptionsTensorsAndBuffersAreAcceptedInputs() throws Exception {
    try (ai.onnxruntime.OrtSession.SessionOptions opts =
            new ai.onnxruntime.OrtSession.SessionOptions();
        ModelRunner r = open(opts)) {
      long[][] want = {{1, 2, 3}, {-4, 5, 6}};
      long[] y = r.run("ids", want).longs("y");
      Tensor ints = Tensors.ofInts("t", new int[] {1, 2, 3, -4, 5, 6}, 2, 3);
      assertArrayEquals(y, r.run("ids", ints).longs("y"));
      ModelInputException e =
          assertThrows(
              ModelInputException.class,
              () -> r.run("ids", Tensors.ofFloats("t", new float[] {1, 2, 3}, 1, 3)));
      assertEquals(
          "input 'ids': model declares tensor(int64) [batch, 3]; given Tensor 't' float32 [1, 3]:"
              + " floats are not converted to integers implicitly; round them in your code",
          e.getMessage());
    }
    try (ModelRunner f = ModelRunner.open(Models.model("float_model"))) {
      double[] d = {0.1, 0.2, 0.3, 0.4};
      float[] rounded = {0.1f, 0.2f, 0.3f, 0.4f};
      assertArrayEquals(
          f.run("x", new float[][] {rounded}).floats("y"),
          f.run("x", Input.of(DoubleBuffer.wrap(d), 1, 4)).floats("y"));
    }
  }

  private static ModelRunner open(ai.onnxruntime.OrtSession.SessionOptions opts)
      throws Exception {
    opts.setIntraOpNumThreads(1);
    return ModelRunner.open(Models.model("int64_model"), opts);
  }

  @Test
  void narrowingEitherKeepsEveryValueOrNamesTheFirstMisfit() throws IOException {
    java.util.Random rnd = new java.util.Random(20261125);
    long[] edges = {
      Integer.MIN_VALUE, Integer.MAX_VALUE, Integer.MIN_VALUE - 1L, Integer.MAX_VALUE + 1L,
      (1L << 31) + 5, Long.MIN_VALUE, Long.MAX_VALUE, 0, -1
    };
    try (ModelRunner r = ModelRunner.open(Models.model("int32_model"))) {
      for (int trial = 0; trial < 60; trial++) {
        int rows = 1 + rnd.nextInt(4);
        long[] values = new long[rows * 3];
        int firstMisfit = -1;
        for (int i = 0; i < values.length; i++) {
          values[i] =
              rnd.nextInt(4) == 0 ? edges[rnd.nextInt(edges.length)] : rnd.nextInt(2001) - 1000;
          if (firstMisfit < 0 && values[i] != (int) values[i]) {
            firstMisfit = i;
          }
        }
        Input in = Input.of(LongBuffer.wrap(values), rows, 3);
        if (firstMisfit < 0) {
          int[] ints = new int[values.length];
          for (int i = 0; i < ints.length; i++) {
            ints[i] = (int) values[i];
          }
          assertArrayEquals(
              r.run("ids", Input.of(IntBuffer.wrap(ints), rows, 3)).intsExact("s"),
              r.run("ids", in).intsExact("s"));
        } else {
          InputWidthException e = assertThrows(InputWidthException.class, () -> r.run("ids", in));
          assertEquals(firstMisfit, e.index());
          assertEquals(Long.toString(values[firstMisfit]), e.value());
          assertEquals("ids", e.input());
        }
      }
    }
  }
}
