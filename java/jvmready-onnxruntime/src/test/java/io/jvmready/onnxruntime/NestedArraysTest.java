package io.jvmready.onnxruntime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Flat C-order arrays nested to the declared rank, every mismatch named. */
class NestedArraysTest {
  @Test
  void nestsRank2InCOrder() {
    float[] flat = {0f, 1f, 2f, 3f, 4f, 5f};
    float[][] m = (float[][]) NestedArrays.nest("p", flat, new long[] {2, 3}, 2);
    assertArrayEquals(new float[][] {{0f, 1f, 2f}, {3f, 4f, 5f}}, m);
  }

  @Test
  void nestsRank3Longs() {
    long[] flat = new long[24];
    for (int i = 0; i < flat.length; i++) {
      flat[i] = (1L << 40) + i;
    }
    long[][][] t = (long[][][]) NestedArrays.nest("t", flat, new long[] {2, 3, 4}, 3);
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        for (int k = 0; k < 4; k++) {
          assertEquals((1L << 40) + i * 12 + j * 4 + k, t[i][j][k]);
        }
      }
    }
  }

  @Test
  void rankOneAndZeroReturnTheFlatArray() {
    int[] flat = {7, 8};
    assertSame(flat, NestedArrays.nest("v", flat, new long[] {2}, 1));
    double[] scalar = {2.5};
    assertSame(scalar, NestedArrays.nest("s", scalar, new long[0], 0));
  }

  @Test
  void emptyDimensionsGiveEmptyArrays() {
    boolean[][] b = (boolean[][]) NestedArrays.nest("m", new boolean[0], new long[] {0, 3}, 2);
    assertEquals(0, b.length);
    double[][] d = (double[][]) NestedArrays.nest("d", new double[0], new long[] {2, 0}, 2);
    assertEquals(2, d.length);
    assertEquals(0, d[1].length);
  }

  @Test
  void rankMismatchNamesTheOutput() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> NestedArrays.nest("probabilities", new float[6], new long[] {6}, 2));
    assertEquals(
        "output 'probabilities': the model declares rank 2 but ONNX Runtime returned shape [6]",
        e.getMessage());
  }

  @Test
  void countMismatchAndHugeDimensionsAreRefused() {
    IllegalStateException count =
        assertThrows(
            IllegalStateException.class,
            () -> NestedArrays.nest("x", new int[5], new long[] {2, 3}, 2));
    assertTrue(count.getMessage().contains("holds 6 values but 5 were returned"));
    IllegalStateException huge =
        assertThrows(
            IllegalStateException.class,
            () -> NestedArrays.nest("x", new int[0], new long[] {1L << 33, 0}, 2));
    assertTrue(huge.getMessage().startsWith("output 'x': dimension 0"));
    assertThrows(
        IllegalArgumentException.class, () -> NestedArrays.nest("x", new Integer[1], new long[1], 1));
  }
}
