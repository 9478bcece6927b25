package io.jvmready;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import org.junit.jupiter.api.Test;

/** Checked narrowing and widening on in-memory tensors: edges pass, one beyond fails precisely. */
class NarrowingTest {

  private static void assertMisfit(IntegerWidthException e, String tensor, long index, String value, String target) {
    assertEquals(tensor, e.tensor());
    assertEquals(index, e.index());
    assertEquals(value, e.value());
    assertEquals(target, e.targetType());
    assertEquals(
        "tensor '" + tensor + "': value " + value + " at flat index " + index + " does not fit " + target,
        e.getMessage());
  }

  @Test
  void int32EdgesPass() {
    Tensor t = Tensors.ofLongs("ids", new long[] {Integer.MIN_VALUE, -1, 0, Integer.MAX_VALUE});
    assertArrayEquals(new int[] {Integer.MIN_VALUE, -1, 0, Integer.MAX_VALUE}, t.toIntArrayExact());
    IntBuffer b = t.asIntBufferExact();
    assertTrue(b.isDirect());
    assertEquals(Integer.MIN_VALUE, b.get(0));
    assertEquals(Integer.MAX_VALUE, b.get(3));
    assertEquals(Integer.MAX_VALUE, t.getIntExact(3));
  }

  @Test
  void oneBeyondMaxFailsWithIndexAndValue() {
    Tensor t = Tensors.ofLongs("ids", new long[] {0, 5, (long) Integer.MAX_VALUE + 1, Long.MAX_VALUE});
    assertMisfit(assertThrows(IntegerWidthException.class, t::toIntArrayExact), "ids", 2, "2147483648", "int32");
    assertMisfit(assertThrows(IntegerWidthException.class, t::asIntBufferExact), "ids", 2, "2147483648", "int32");
    assertMisfit(assertThrows(IntegerWidthException.class, () -> t.getIntExact(3)), "ids", 3, "9223372036854775807", "int32");
  }

  @Test
  void oneBelowMinFailsWithIndexAndValue() {
    Tensor t = Tensors.ofLongs("x", new long[] {(long) Integer.MIN_VALUE - 1});
    assertMisfit(assertThrows(IntegerWidthException.class, t::toIntArrayExact), "x", 0, "-2147483649", "int32");
  }

  @Test
  void flatIndexIsCOrderInTwoDimensions() {
    long[] v = new long[12];
    v[1 * 4 + 2] = 1L << 31; // row 1, column 2
    Tensor t = Tensors.ofLongs("grid", v, 3, 4);
    assertArrayEquals(new long[] {3, 4}, t.shape());
    assertMisfit(assertThrows(IntegerWidthException.class, t::toIntArrayExact), "grid", 6, "2147483648", "int32");
  }

  private static Tensor uint64(long... bits) {
    ByteBuffer b = ByteBuffer.allocate(bits.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : bits) {
      b.putLong(v);
    }
    b.flip();
    return Tensors.wrap("u", DType.UINT64, new long[] {bits.length}, b);
  }

  @Test
  void uint64BeyondLongIsRefusedAsUnsignedDecimal() {
    Tensor t = uint64(Long.MAX_VALUE, -1L, Long.MIN_VALUE);
    assertEquals(Long.MAX_VALUE, t.getLong(0));
    assertMisfit(assertThrows(IntegerWidthException.class, () -> t.getLong(1)), "u", 1, "18446744073709551615", "int64");
    assertMisfit(assertThrows(IntegerWidthException.class, t::toLongArray), "u", 1, "18446744073709551615", "int64");
    assertMisfit(assertThrows(IntegerWidthException.class, t::asLongBuffer), "u", 1, "18446744073709551615", "int64");
    assertMisfit(assertThrows(IntegerWidthException.class, t::toIntArrayExact), "u", 0, "9223372036854775807", "int32");
    assertEquals(0x1p63, t.getDouble(2)); // 2^63 is exactly a double
    assertMisfit(assertThrows(IntegerWidthException.class, () -> t.getDouble(1)), "u", 1, "18446744073709551615", "float64 (exactly)");
  }

  @Test
  void doublesAndFloatsOnlyWhereExact() {
    Tensor t = Tensors.ofLongs("d", new long[] {1L << 53, -(1L << 53), (1L << 53) + 1, Long.MIN_VALUE, Long.MAX_VALUE});
    assertEquals(0x1p53, t.getDouble(0));
    assertEquals(-0x1p63, t.getDouble(3));
    assertMisfit(assertThrows(IntegerWidthException.class, () -> t.getDouble(2)), "d", 2, "9007199254740993", "float64 (exactly)");
    assertMisfit(assertThrows(IntegerWidthException.class, () -> t.getDouble(4)), "d", 4, "9223372036854775807", "float64 (exactly)");
    Tensor f = Tensors.ofInts("f", new int[] {1 << 24, (1 << 24) + 1});
    IntegerWidthException e = assertThrows(IntegerWidthException.class, f::toFloatArray);
    assertMisfit(e, "f", 1, "16777217", "float32 (exactly)");
    assertArrayEquals(new float[] {0x1p24f}, Tensors.ofInts("g", new int[] {1 << 24}).toFloatArray());
    assertArrayEquals(new double[] {16777216, 16777217}, f.toDoubleArray(), 0);
  }

  @Test
  void unsignedAndSmallTypesWiden() {
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(-1).putInt(7);
    b.flip();
    Tensor u32 = Tensors.wrap("u32", DType.UINT32, new long[] {2}, b);
    assertArrayEquals(new long[] {4294967295L, 7}, u32.toLongArray());
    assertMisfit(assertThrows(IntegerWidthException.class, u32::toIntArrayExact), "u32", 0, "4294967295", "int32");
    Tensor u8 = Tensors.ofUnsignedBytes("u8", new byte[] {(byte) 255, 1});
    assertArrayEquals(new int[] {255, 1}, u8.toIntArrayExact());
    assertArrayEquals(new float[] {255f, 1f}, u8.toFloatArray());
    ByteBuffer s = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) -32768).putShort((short) -1);
    s.flip();
    assertArrayEquals(new long[] {65535 - 32767, 65535}, Tensors.wrap("u16", DType.UINT16, new long[] {2}, s.duplicate()).toLongArray());
    assertArrayEquals(new long[] {-32768, -1}, Tensors.wrap("i16", DType.INT16, new long[] {2}, s).toLongArray());
  }

  @Test
  void floatTensorsRefuseIntegerAccessNamingTheTensor() {
    Tensor t = Tensors.ofFloats("w", new float[] {1.5f});
    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> t.getLong(0));
    assertTrue(e.getMessage().contains("'w'"), e.getMessage());
    assertThrows(UnsupportedOperationException.class, t::toIntArrayExact);
    assertThrows(UnsupportedOperationException.class, Tensors.ofDoubles("d", new double[] {1})::toFloatArray);
    assertArrayEquals(new double[] {1.5}, t.toDoubleArray(), 0);
  }

  @Test
  void boolBytesOtherThanZeroOrOneAreCorruption() {
    Tensor t = Tensors.wrap("flags", DType.BOOL, new long[] {3}, ByteBuffer.wrap(new byte[] {1, 0, 2}));
    assertEquals(1, t.getLong(0));
    IllegalStateException e = assertThrows(IllegalStateException.class, t::toLongArray);
    assertTrue(e.getMessage().contains("bool byte 2 at flat index 2"), e.getMessage());
    assertArrayEquals(new long[] {1, 0}, Tensors.ofBooleans("b", new boolean[] {true, false}).toLongArray());
  }

  @Test
  void float16ConvertsExactly() {
    assertEquals(1.0f, StoredTensor.halfToFloat(0x3C00));
    assertEquals(-2.0f, StoredTensor.halfToFloat(0xC000));
    assertEquals(65504.0f, StoredTensor.halfToFloat(0x7BFF));
    assertEquals(0x1p-24f, StoredTensor.halfToFloat(0x0001));
    assertEquals(0x1p-14f, StoredTensor.halfToFloat(0x0400));
    assertEquals(Float.POSITIVE_INFINITY, StoredTensor.halfToFloat(0x7C00));
    assertEquals(Float.NEGATIVE_INFINITY, StoredTensor.halfToFloat(0xFC00));
    assertTrue(Float.isNaN(StoredTensor.halfToFloat(0x7E00)));
    assertEquals(Float.floatToIntBits(-0.0f), Float.floatToIntBits(StoredTensor.halfToFloat(0x8000)));
    float prev = -1;
    for (int h = 0; h <= 0x7BFF; h++) { // strictly increasing over all finite positive halves
      float f = StoredTensor.halfToFloat(h);
      assertTrue(f > prev, "half " + h);
      assertEquals(Float.floatToIntBits(-f), Float.floatToIntBits(StoredTensor.halfToFloat(h | 0x8000)));
      prev = f;
    }
  }

  @Test
  void tensorsValidateTheirShape() {
    assertThrows(IllegalArgumentException.class, () -> Tensors.ofLongs("x", new long[] {1, 2, 3}, 2, 2));
    assertThrows(IllegalArgumentException.class, () -> Tensors.wrap("x", DType.INT32, new long[] {2}, ByteBuffer.allocate(7)));
    assertThrows(IllegalArgumentException.class, () -> Tensors.wrap("x", DType.INT32, new long[] {-1}, ByteBuffer.allocate(0)));
    Tensor scalar = Tensors.wrap("s", DType.INT64, new long[0], ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 42));
    assertEquals(1, scalar.size());
    assertArrayEquals(new long[] {42}, scalar.toLongArray());
    Tensor empty = Tensors.ofLongs("e", new long[0], 0, 5);
    assertEquals(0, empty.size());
    assertEquals(0, empty.toIntArrayExact().length);
    assertThrows(IndexOutOfBoundsException.class, () -> empty.getLong(0));
  }
}
