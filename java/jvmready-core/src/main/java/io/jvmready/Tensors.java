package io.jvmready;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * In-memory tensors: wrap little-endian bytes (protobuf or Avro payloads, runtime outputs) or copy
 * Java arrays. They behave exactly like tensors read from files, including checked narrowing.
 */
public final class Tensors {
  private Tensors() {}

  /**
   * Wraps little-endian, C-order element bytes without copying them; the caller must not modify
   * the buffer afterwards.
   *
   * @param name tensor name, used in error messages
   * @param dtype element type
   * @param shape dimensions (empty for a scalar)
   * @param littleEndianData the remaining bytes of this buffer are the elements
   * @return the tensor
   * @throws IllegalArgumentException if the byte count does not match shape × item size
   */
  public static Tensor wrap(String name, DType dtype, long[] shape, ByteBuffer littleEndianData) {
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("tensor '" + name + "': negative dimension in shape " + Shapes.python(shape));
      }
    }
    long size = Shapes.sizeOrMinusOne(shape);
    long need = Shapes.byteLengthOrMinusOne(size, dtype.itemSize());
    if (size < 0 || need < 0 || need != littleEndianData.remaining()) {
      throw new IllegalArgumentException(
          "tensor '" + name + "': " + littleEndianData.remaining() + " bytes do not hold shape "
              + Shapes.python(shape) + " of " + dtype);
    }
    return new StoredTensor(
        name, StoredTensor.MEMORY, dtype, shape, ByteSource.of(littleEndianData), ByteOrder.LITTLE_ENDIAN,
        false, Lifetime.FOREVER);
  }

  private static long[] shapeFor(String name, int length, long[] shape) {
    if (shape.length == 0) {
      return new long[] {length};
    }
    long size = Shapes.sizeOrMinusOne(shape);
    if (size != length) {
      throw new IllegalArgumentException(
          "tensor '" + name + "': " + length + " values do not fill shape " + Shapes.python(shape));
    }
    return shape.clone();
  }

  private static ByteBuffer allocate(long count, int itemSize) {
    return ByteBuffer.allocate(Math.toIntExact(count * itemSize)).order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * An INT64 tensor holding a copy of {@code data}.
   *
   * @param name tensor name
   * @param data values in C order
   * @param shape dimensions; none means one dimension of {@code data.length}. For a 0-d scalar use
   *     {@link #wrap}.
   * @return the tensor
   */
  public static Tensor ofLongs(String name, long[] data, long... shape) {
    long[] s = shapeFor(name, data.length, shape);
    ByteBuffer b = allocate(data.length, 8);
    b.asLongBuffer().put(data);
    return wrap(name, DType.INT64, s, b);
  }

  /**
   * An INT32 tensor holding a copy of {@code data}.
   *
   * @param name tensor name
   * @param data values in C order
   * @param shape dimensions; none means one dimension of {@code data.length}
   * @return the tensor
   */
  public static Tensor ofInts(String name, int[] data, long... shape) {
    long[] s = shapeFor(name, data.length, shape);
    ByteBuffer b = allocate(data.length, 4);
    b.asIntBuffer().put(data);
    return wrap(name, DType.INT32, s, b);
  }

  /**
   * A FLOAT32 tensor holding a copy of {@code data}.
   *
   * @param name tensor name
   * @param data values in C order
   * @param shape dimensions; none means one dimension of {@code data.length}
   * @return the tensor
   */
  public static Tensor ofFloats(String name, float[] data, long... shape) {
    long[] s = shapeFor(name, data.length, shape);
    ByteBuffer b = allocate(data.length, 4);
    b.asFloatBuffer().put(data);
    return wrap(name, DType.FLOAT32, s, b);
  }

  /**
   * A FLOAT64 tensor holding a copy of {@code data}.
   *
   * @param name tensor name
   * @param data values in C order
   * @param shape dimensions; none means one dimension of {@code data.length}
   * @return the tensor
   */
  public static Tensor ofDoubles(String name, double[] data, long... shape) {
    long[] s = shapeFor(name, data.length, shape);
    ByteBuffer b = allocate(data.length, 8);
    b.asDoubleBuffer().put(data);
    return wrap(name, DType.FLOAT64, s, b);
  }

  /**
   * A BOOL tensor holding a copy of {@code data}.
   *
   * @param name tensor name
   * @param data values in C order
   * @param shape dimensions; none means one dimension of {@code data.length}
   * @return the tensor
   */
  public static Tensor ofBooleans(String name, boolean[] data, long... shape) {
    long[] s = shapeFor(name, data.length, shape);
    ByteBuffer b = allocate(data.length, 1);
    for (int i = 0; i < data.length; i++) {
      b.put(i, (byte) (data[i] ? 1 : 0));
    }
    return wrap(name, DType.BOOL, s, b);
  }

  /**
   * A UINT8 tensor holding a copy of {@code data} (each byte read as 0..255).
   *
   * @param name tensor name
   * @param data values in C order
   * @param shape dimensions; none means one dimension of {@code data.length}
   * @return the tensor
   */
  public static Tensor ofUnsignedBytes(String name, byte[] data, long... shape) {
    long[] s = shapeFor(name, data.length, shape);
    return wrap(name, DType.UINT8, s, ByteBuffer.wrap(data.clone()));
  }
}
