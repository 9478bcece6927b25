package io.jvmready;

import java.util.Arrays;

/** Shape arithmetic with overflow checks: a lying header must fail, not wrap. */
final class Shapes {
  /** The most elements a Java array can hold on common JVMs. */
  static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

  private Shapes() {}

  /** Product of the dimensions, or -1 if it overflows a long. Dimensions must be non-negative. */
  static long sizeOrMinusOne(long[] shape) {
    long size = 1;
    boolean zero = false;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      if (d == 0) {
        zero = true;
      }
    }
    if (zero) {
      return 0;
    }
    for (long d : shape) {
      if (size > Long.MAX_VALUE / d) {
        return -1;
      }
      size *= d;
    }
    return size;
  }

  /** Byte length for {@code size} elements of {@code itemSize} bytes, or -1 on overflow. */
  static long byteLengthOrMinusOne(long size, int itemSize) {
    if (size < 0 || size > Long.MAX_VALUE / itemSize) {
      return -1;
    }
    return size * itemSize;
  }

  /** The shape as Python prints it: {@code ()}, {@code (3,)}, {@code (2, 3)}. */
  static String python(long[] shape) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(shape[i]);
    }
    if (shape.length == 1) {
      sb.append(',');
    }
    return sb.append(')').toString();
  }
}
