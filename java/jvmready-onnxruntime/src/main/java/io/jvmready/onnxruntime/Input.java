package io.jvmready.onnxruntime;

import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * A flat buffer plus the shape it has, as an input value for {@link ModelRunner#run}. The buffer's
 * remaining elements (position to limit) are the values in C (row-major) order; their count must
 * equal the product of the shape. The buffer is read, never modified, and its position is left
 * unchanged.
 *
 * <p>Like arrays, buffers of any integer width are converted to the integer type the model
 * declares (narrowing range-checked).
 */
public final class Input {
  private final Buffer buffer;
  private final long[] shape;

  private Input(Buffer buffer, long[] shape) {
    this.buffer = Objects.requireNonNull(buffer, "buffer");
    this.shape = Objects.requireNonNull(shape, "shape").clone();
    long n = 1;
    for (long d : this.shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, d);
    }
    if (n != buffer.remaining()) {
      throw new IllegalArgumentException(
          "shape "
              + Arrays.toString(shape)
              + " holds "
              + n
              + " elements but the buffer has "
              + buffer.remaining());
    }
  }

  /**
   * int values with a shape.
   *
   * @param buffer the values, C order, from position to limit
   * @param shape the dimensions; their product must equal {@code buffer.remaining()}
   * @return the input value
   */
  public static Input of(IntBuffer buffer, long... shape) {
    return new Input(buffer, shape);
  }

  /**
   * long values with a shape.
   *
   * @param buffer the values, C order, from position to limit
   * @param shape the dimensions; their product must equal {@code buffer.remaining()}
   * @return the input value
   */
  public static Input of(LongBuffer buffer, long... shape) {
    return new Input(buffer, shape);
  }

  /**
   * float values with a shape.
   *
   * @param buffer the values, C order, from position to limit
   * @param shape the dimensions; their product must equal {@code buffer.remaining()}
   * @return the input value
   */
  public static Input of(FloatBuffer buffer, long... shape) {
    return new Input(buffer, shape);
  }

  /**
   * double values with a shape.
   *
   * @param buffer the values, C order, from position to limit
   * @param shape the dimensions; their product must equal {@code buffer.remaining()}
   * @return the input value
   */
  public static Input of(DoubleBuffer buffer, long... shape) {
    return new Input(buffer, shape);
  }

  /** The buffer (not copied; read from its position). */
  Buffer buffer() {
    return buffer;
  }

  /** The shape (a copy). */
  public long[] shape() {
    return shape.clone();
  }

  /** A description for messages: {@code IntBuffer [3, 4]}. */
  @Override
  public String toString() {
    String kind =
        buffer instanceof IntBuffer
            ? "IntBuffer"
            : buffer instanceof LongBuffer
                ? "LongBuffer"
                : buffer instanceof FloatBuffer ? "FloatBuffer" : "DoubleBuffer";
    return kind + " " + Arrays.toString(shape);
  }
}
