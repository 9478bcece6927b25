package io.jvmready;

import java.nio.IntBuffer;
import java.nio.LongBuffer;

/**
 * A named n-dimensional array read from a file Python wrote. Data stays memory-mapped until a
 * typed accessor copies it. Widening accessors always succeed for integral types; narrowing ones
 * ({@code ...Exact}) check every value and throw {@link IntegerWidthException} naming the tensor,
 * the flat index and the value.
 *
 * <p>Flat indices are in C (row-major) order whatever the storage order of the file.
 */
public interface Tensor {
  /** The tensor's name (npz entry, safetensors key, or file name for a lone npy). */
  String name();

  /** The element type as stored. */
  DType dtype();

  /** The shape; empty for a 0-d scalar. A copy: callers may modify it. */
  long[] shape();

  /** Number of elements: the product of the shape (1 for a scalar). */
  long size();

  /**
   * Element {@code flatIndex} (C order) widened to long (integral dtypes only; float tensors
   * refuse with {@link UnsupportedOperationException}); checked for UINT64 above Long.MAX_VALUE.
   */
  long getLong(long flatIndex);

  /**
   * Element {@code flatIndex} (C order) as int, checked.
   *
   * @param flatIndex C-order flat index
   * @return the value
   * @throws IntegerWidthException if the value does not fit an int
   */
  default int getIntExact(long flatIndex) {
    long v = getLong(flatIndex);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw new IntegerWidthException(name(), flatIndex, Long.toString(v), "int32");
    }
    return (int) v;
  }

  /** Element {@code flatIndex} (C order) as double; exact for every integer that fits 53 bits. */
  double getDouble(long flatIndex);

  /** All elements widened to long (integral dtypes only). Fails clearly beyond 2^31-1 elements. */
  long[] toLongArray();

  /** All elements as int, each checked: throws {@link IntegerWidthException} on the first misfit. */
  int[] toIntArrayExact();

  /** A direct buffer of checked int values, C order. */
  IntBuffer asIntBufferExact();

  /** A direct buffer of long values, C order (integral dtypes only). */
  LongBuffer asLongBuffer();

  /**
   * All elements as float: float32 as is, float16/bfloat16 widened, integers only where exact
   * (each checked, {@link IntegerWidthException} otherwise); float64 refuses, as it would round.
   */
  float[] toFloatArray();

  /** All elements as double: floats widened; integers only where exact. */
  double[] toDoubleArray();
}
