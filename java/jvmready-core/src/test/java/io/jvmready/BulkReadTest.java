package io.jvmready;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bulk accessors (C-order data decoded region by region through buffer views) against the
 * element-by-element path: same values, and a refusal naming the same first misfit wherever it
 * lies: first or last element of a region, an element straddling two regions, the last element.
 */
class BulkReadTest {
  @TempDir Path dir;

  private static final int REGION = 64;
  private static final int HEADER = 83; // data at byte 91: elements misaligned by 3

  private static void assertMisfit(Path file, long index, String value, Executable read) {
    IntegerWidthException e = assertThrows(IntegerWidthException.class, read);
    assertEquals(file.toString(), e.source());
    assertEquals("ids", e.tensor());
    assertEquals(index, e.index(), e.getMessage());
    assertEquals(value, e.value());
    assertEquals("int32", e.targetType());
  }

  /** Element indices at the edges of every region of an int64 tensor whose data starts at 91. */
  private static TreeSet<Integer> edges(int count) {
    TreeSet<Integer> at = new TreeSet<>(List.of(0, 1, count - 2, count - 1));
    long dataStart = 8 + HEADER;
    for (int i = 0; i < count; i++) {
      long start = dataStart + 8L * i;
      long end = start + 7;
      boolean firstInRegion = start / REGION != (start - 8) / REGION;
      boolean straddles = start / REGION != end / REGION;
      boolean lastInRegion = start / REGION != (start + 8) / REGION;
      if (firstInRegion || straddles || lastInRegion) {
        at.add(i);
      }
    }
    return at;
  }

  @Test
  void narrowingRefusesTheFirstMisfitInEveryRegion() throws IOException {
    int count = 120;
    long[] shape = {12, 10};
    TreeSet<Integer> edges = edges(count);
    assertTrue(edges.size() > 30, "several regions, each with edges: " + edges);
    for (int bad : edges) {
      long[] values = new long[count];
      for (int i = 0; i < count; i++) {
        values[i] = (int) (i * 2654435761L); // fits, spread over the int32 range
      }
      long misfit = bad % 2 == 0 ? (1L << 31) + bad : -(1L << 31) - 1 - bad;
      values[bad] = misfit;
      if (bad + 1 < count) {
        values[bad + 1] = Long.MAX_VALUE; // a later misfit must not be the one named
      }
      Path file = RawFiles.safetensors(
          dir.resolve("n" + bad + ".safetensors"), HEADER, "ids", DType.INT64, shape,
          RawFiles.bytes(values, 8, ByteOrder.LITTLE_ENDIAN));
      for (int region : new int[] {REGION, ByteSource.DEFAULT_REGION}) {
        try (SafeTensors st = SafeTensors.open(file, region)) {
          Tensor t = st.get("ids");
          assertMisfit(file, bad, Long.toString(misfit), t::toIntArrayExact);
          assertMisfit(file, bad, Long.toString(misfit), t::asIntBufferExact);
          assertArrayEquals(values, t.toLongArray());
          LongBuffer lb = t.asLongBuffer();
          for (int i = 0; i < count; i++) {
            assertEquals(values[i], lb.get(i));
          }
        }
      }
    }
  }

  @Test
  void narrowingPassesEveryValueWhenAllFit() throws IOException {
    int count = 1000;
    long[] values = new long[count];
    int[] expected = new int[count];
    Random r = new Random(3);
    for (int i = 0; i < count; i++) {
      expected[i] = i == 0 ? Integer.MIN_VALUE : i == count - 1 ? Integer.MAX_VALUE : r.nextInt();
      values[i] = expected[i];
    }
    Path file = RawFiles.safetensors(
        dir.resolve("ok.safetensors"), HEADER, "ids", DType.INT64, new long[] {count},
        RawFiles.bytes(values, 8, ByteOrder.LITTLE_ENDIAN));
    for (int region : new int[] {1, 7, 8, 9, REGION, ByteSource.DEFAULT_REGION}) {
      try (SafeTensors st = SafeTensors.open(file, region)) {
        Tensor t = st.get("ids");
        assertArrayEquals(expected, t.toIntArrayExact(), "region " + region);
        IntBuffer b = t.asIntBufferExact();
        for (int i = 0; i < count; i++) {
          assertEquals(expected[i], b.get(i));
        }
      }
    }
  }

  @Test
  void bigEndianNpyDecodesAndRefusesByValue() throws IOException {
    long[] values = {1, -2, 3, Integer.MAX_VALUE, Integer.MIN_VALUE, 6, 7, (1L << 31) + 1, 9, -10, 11, 12, 13, 14, 15};
    Path file = RawFiles.npy(
        dir.resolve("ids.npy"), ">i8", false, new long[] {3, 5}, RawFiles.bytes(values, 8, ByteOrder.BIG_ENDIAN));
    for (int region : new int[] {3, 16, ByteSource.DEFAULT_REGION}) {
      Tensor t = Npy.open(file, region);
      assertArrayEquals(values, t.toLongArray());
      assertMisfit(file, 7, "2147483649", t::toIntArrayExact);
      assertMisfit(file, 7, "2147483649", t::asIntBufferExact);
      double[] d = t.toDoubleArray();
      for (int i = 0; i < values.length; i++) {
        assertEquals((double) values[i], d[i]);
      }
    }
    long[] shorts = {0, 1, 0x7FFF, 0x8000, 0xFFFF, 0x1234};
    Path u16 = RawFiles.npy(
        dir.resolve("u.npy"), ">u2", false, new long[] {6}, RawFiles.bytes(shorts, 2, ByteOrder.BIG_ENDIAN));
    assertArrayEquals(shorts, Npy.open(u16, 5).toLongArray());
    assertArrayEquals(new int[] {0, 1, 0x7FFF, 0x8000, 0xFFFF, 0x1234}, Npy.open(u16, 5).toIntArrayExact());
    float[] floats = {1.5f, -0.0f, Float.MAX_VALUE, Float.MIN_VALUE, 16777217f};
    long[] bits = new long[floats.length];
    for (int i = 0; i < floats.length; i++) {
      bits[i] = Float.floatToRawIntBits(floats[i]);
    }
    Path f32 = RawFiles.npy(
        dir.resolve("f.npy"), ">f4", false, new long[] {5}, RawFiles.bytes(bits, 4, ByteOrder.BIG_ENDIAN));
    assertArrayEquals(floats, Npy.open(f32, 6).toFloatArray());
  }

  @Test
  void fortranOrderGoesThroughTheGenericPathInCOrder() throws IOException {
    // C-order value c[i][j] = 100 * i + j, stored column by column.
    int rows = 3;
    int cols = 4;
    long[] c = new long[rows * cols];
    long[] f = new long[rows * cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        c[i * cols + j] = 100 * i + j;
      }
    }
    c[2 * cols + 1] = 1L << 33; // C index 9, storage index 5
    c[0 * cols + 3] = -(1L << 32); // C index 3, storage index 9: first in C order, later in storage
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        f[j * rows + i] = c[i * cols + j];
      }
    }
    for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
      String descr = (order == ByteOrder.BIG_ENDIAN ? ">" : "<") + "i8";
      Path sub = Files.createDirectories(dir.resolve(order.toString()));
      Path file = RawFiles.npy(
          sub.resolve("ids.npy"), descr, true,
          new long[] {rows, cols}, RawFiles.bytes(f, 8, order));
      for (int region : new int[] {5, ByteSource.DEFAULT_REGION}) {
        Tensor t = Npy.open(file, region);
        assertArrayEquals(c, t.toLongArray());
        assertMisfit(file, 3, "-4294967296", t::toIntArrayExact);
        assertMisfit(file, 3, "-4294967296", t::asIntBufferExact);
        double[] d = t.toDoubleArray();
        for (int i = 0; i < c.length; i++) {
          assertEquals((double) c[i], d[i]);
          assertEquals(c[i], t.getLong(i));
        }
      }
    }
  }

  @Test
  void uint64AndBoolMisfitsAreNamedInOrder() throws IOException {
    long[] u = {5, Long.MIN_VALUE + 5, 1L << 31, Long.MIN_VALUE};
    Path file = RawFiles.safetensors(
        dir.resolve("u.safetensors"), HEADER, "u", DType.UINT64, new long[] {4},
        RawFiles.bytes(u, 8, ByteOrder.LITTLE_ENDIAN));
    try (SafeTensors st = SafeTensors.open(file, 5)) {
      Tensor t = st.get("u");
      IntegerWidthException e = assertThrows(IntegerWidthException.class, t::toIntArrayExact);
      assertEquals(1, e.index());
      assertEquals("9223372036854775813", e.value());
      e = assertThrows(IntegerWidthException.class, t::toLongArray);
      assertEquals(1, e.index());
      assertEquals("int64", e.targetType());
      e = assertThrows(IntegerWidthException.class, t::toDoubleArray);
      assertEquals(1, e.index());
      assertEquals("float64 (exactly)", e.targetType());
    }
    long[] exact = {5, Long.MIN_VALUE, 1L << 40};
    Path ok = RawFiles.safetensors(
        dir.resolve("ok.safetensors"), HEADER, "u", DType.UINT64, new long[] {3},
        RawFiles.bytes(exact, 8, ByteOrder.LITTLE_ENDIAN));
    try (SafeTensors st = SafeTensors.open(ok, 5)) {
      assertArrayEquals(new double[] {5, 0x1p63, 0x1p40}, st.get("u").toDoubleArray());
      assertArrayEquals(new float[] {5, 0x1p63f, 0x1p40f}, st.get("u").toFloatArray());
    }
    long[] flags = {0, 1, 1, 2, 0};
    Path bools = RawFiles.npy(dir.resolve("b.npy"), "|b1", false, new long[] {5}, RawFiles.bytes(flags, 1, ByteOrder.LITTLE_ENDIAN));
    Tensor b = Npy.open(bools, 3);
    for (Executable read : new Executable[] {b::toLongArray, b::toIntArrayExact, b::asLongBuffer, b::toDoubleArray}) {
      IllegalStateException ise = assertThrows(IllegalStateException.class, read);
      assertTrue(ise.getMessage().contains("bool byte 2 at flat index 3"), ise.getMessage());
    }
  }

  /** Every dtype, both byte orders, C and Fortran order, several region sizes: bulk = per element. */
  @Test
  void bulkEqualsElementByElementForEveryLayout() throws IOException {
    Random r = new Random(11);
    List<String> checked = new ArrayList<>();
    String[] descrs = {"b1", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8"};
    for (String kind : descrs) {
      int width = Integer.parseInt(kind.substring(1));
      for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
        for (boolean fortran : new boolean[] {false, true}) {
          long[] raw = new long[6 * 7];
          for (int i = 0; i < raw.length; i++) {
            raw[i] = kind.equals("b1") ? r.nextInt(2) : i % 5 == 0 ? r.nextInt(100) : r.nextLong();
          }
          String descr = (width == 1 ? "|" : order == ByteOrder.BIG_ENDIAN ? ">" : "<") + kind;
          String label = kind + (order == ByteOrder.BIG_ENDIAN ? "be" : "le") + (fortran ? "F" : "C");
          Path file = RawFiles.npy(
              dir.resolve(label + ".npy"), descr, fortran, new long[] {6, 7}, RawFiles.bytes(raw, width, order));
          for (int region : new int[] {1, 7, 64, ByteSource.DEFAULT_REGION}) {
            compare(Npy.open(file, region));
          }
          checked.add(label);
        }
      }
    }
    assertEquals(descrs.length * 4, checked.size());
  }

  private static void compare(Tensor t) {
    int n = (int) t.size();
    String where = t.toString();
    Object bulkDoubles = outcome(t::toDoubleArray);
    Object oneByOneDoubles = outcome(() -> {
      double[] d = new double[n];
      for (int i = 0; i < n; i++) {
        d[i] = t.getDouble(i);
      }
      return d;
    });
    assertSame(oneByOneDoubles, bulkDoubles, where + " toDoubleArray");
    if (!t.dtype().isIntegral()) {
      if (t.dtype() != DType.FLOAT64) {
        float[] fl = t.toFloatArray();
        for (int i = 0; i < n; i++) {
          assertEquals(Float.floatToRawIntBits((float) t.getDouble(i)), Float.floatToRawIntBits(fl[i]), where);
        }
      }
      return;
    }
    assertSame(outcome(() -> {
      long[] l = new long[n];
      for (int i = 0; i < n; i++) {
        l[i] = t.getLong(i);
      }
      return l;
    }), outcome(t::toLongArray), where + " toLongArray");
    assertSame(outcome(() -> {
      int[] v = new int[n];
      for (int i = 0; i < n; i++) {
        v[i] = t.getIntExact(i);
      }
      return v;
    }), outcome(t::toIntArrayExact), where + " toIntArrayExact");
  }

  /**
   * What a read gives: its array, or "index value" of its refusal (not the target type: {@link
   * Tensor#getIntExact} of a UINT64 above Long.MAX_VALUE names int64, the bulk read int32).
   */
  private static Object outcome(Callable<Object> read) {
    try {
      return read.call();
    } catch (IntegerWidthException e) {
      return e.index() + " " + e.value();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void assertSame(Object expected, Object actual, String what) {
    if (expected instanceof String || actual instanceof String) {
      assertEquals(expected, actual, what);
    } else if (expected instanceof long[]) {
      assertArrayEquals((long[]) expected, (long[]) actual, what);
    } else if (expected instanceof int[]) {
      assertArrayEquals((int[]) expected, (int[]) actual, what);
    } else {
      double[] e = (double[]) expected;
      double[] a = (double[]) actual;
      assertEquals(e.length, a.length, what);
      for (int i = 0; i < e.length; i++) {
        assertEquals(Double.doubleToRawLongBits(e[i]), Double.doubleToRawLongBits(a[i]), what + " at " + i);
      }
    }
  }
}
