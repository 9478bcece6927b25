package io.jvmready.onnxruntime;

import java.lang.reflect.Array;
import java.util.Arrays;
import java.util.Objects;

/**
 * Turns the flat C-order arrays a {@link Result} gives into nested Java arrays ({@code
 * float[][]}, {@code long[][][]}) of the rank a model declares. Used by the facades {@code
 * jvmready javagen} generates, so that generated code stays small; usable directly too.
 */
public final class NestedArrays {
  private NestedArrays() {}

  /**
   * Nests {@code flat} into an array of {@code rank} dimensions with the given shape.
   *
   * <p>For rank 0 and 1 the flat array itself is returned (a rank-0 value is its only element).
   * The rank is checked: an output whose actual rank differs from the declared one is an error,
   * never a silently reshaped array.
   *
   * @param name the output's name, for messages
   * @param flat a primitive array ({@code long[]}, {@code int[]}, {@code float[]}, {@code
   *     double[]}...) in C (row-major) order
   * @param shape the output's actual shape
   * @param rank the rank the caller expects (the model's declaration)
   * @return a nested array of {@code rank} dimensions whose element type is {@code flat}'s, e.g.
   *     {@code float[][]} for a {@code float[]} and rank 2; cast it to that type
   * @throws IllegalStateException if the shape has another rank, does not match the number of
   *     values, or has a dimension beyond Java array limits; the message names the output
   */
  public static Object nest(String name, Object flat, long[] shape, int rank) {
    Objects.requireNonNull(flat, "flat");
    Objects.requireNonNull(shape, "shape");
    Class<?> element = flat.getClass().getComponentType();
    if (element == null || !element.isPrimitive()) {
      throw new IllegalArgumentException(
          "output '" + name + "': expected a primitive array, got " + flat.getClass().getName());
    }
    if (shape.length != rank) {
      throw new IllegalStateException(
          "output '"
              + name
              + "': the model declares rank "
              + rank
              + " but ONNX Runtime returned shape "
              + Arrays.toString(shape));
    }
    int[] dims = new int[shape.length];
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0 || shape[i] > Integer.MAX_VALUE - 8) {
        throw new IllegalStateException(
            "output '" + name + "': dimension " + i + " of shape " + Arrays.toString(shape)
                + " does not fit a Java array");
      }
      dims[i] = (int) shape[i];
      count *= shape[i];
      if (count > Integer.MAX_VALUE) {
        throw new IllegalStateException(
            "output '" + name + "': shape " + Arrays.toString(shape) + " does not fit a Java array");
      }
    }
    int length = Array.getLength(flat);
    if (count != length) {
      throw new IllegalStateException(
          "output '"
              + name
              + "': shape "
              + Arrays.toString(shape)
              + " holds "
              + count
              + " values but "
              + length
              + " were returned");
    }
    if (rank <= 1) {
      return flat;
    }
    Object nested = Array.newInstance(element, dims);
    int rowLength = dims[rank - 1];
    fill(nested, flat, 0, rank - 1, rowLength);
    return nested;
  }

  /** Copies consecutive rows of {@code flat} into the innermost arrays; returns the next offset. */
  private static int fill(Object nested, Object flat, int offset, int depth, int rowLength) {
    int n = Array.getLength(nested);
    int at = offset;
    for (int i = 0; i < n; i++) {
      Object child = Array.get(nested, i);
      if (depth == 1) {
        System.arraycopy(flat, at, child, 0, rowLength);
        at += rowLength;
      } else {
        at = fill(child, flat, at, depth - 1, rowLength);
      }
    }
    return at;
  }
}
