package io.jvmready.onnxruntime;

import io.jvmready.DType;
import io.jvmready.Tensor;
import java.lang.reflect.Array;
import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;

/**
 * A caller's input value reduced to flat data (C order) plus a shape, remembering how it was given
 * for messages. {@code data} is one of {@code long[]}, {@code int[]}, {@code short[]}, {@code
 * byte[]}, {@code float[]}, {@code double[]}, {@code boolean[]}, {@code String[]} or a {@code
 * LongBuffer}, {@code IntBuffer}, {@code FloatBuffer}, {@code DoubleBuffer} (read from its
 * position, never modified).
 */
final class Given {
  /** What the elements are, before any conversion. */
  enum Category {
    INTEGER,
    FLOAT32,
    FLOAT64,
    BOOL,
    STRING
  }

  /** Largest flat length a Java array can hold safely. */
  static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  final Object data;
  final long[] shape;
  final Category category;
  final String description;

  private Given(Object data, long[] shape, Category category, String description) {
    this.data = data;
    this.shape = shape;
    this.category = category;
    this.description = description;
  }

  int size() {
    return data instanceof Buffer b ? b.remaining() : Array.getLength(data);
  }

  /**
   * Flattens {@code value}.
   *
   * @param input the input's name, for messages
   * @param value what the caller passed
   * @throws ModelInputException for unsupported types and ragged arrays
   */
  static Given of(String input, Object value) {
    if (value == null) {
      throw new ModelInputException(input, "input '" + input + "': given null");
    }
    if (value instanceof Input in) {
      Buffer b = in.buffer();
      Category c =
          b instanceof LongBuffer || b instanceof IntBuffer
              ? Category.INTEGER
              : b instanceof FloatBuffer ? Category.FLOAT32 : Category.FLOAT64;
      return new Given(b, in.shape(), c, in.toString());
    }
    if (value instanceof Tensor t) {
      return ofTensor(t);
    }
    if (value.getClass().isArray()) {
      return ofArray(input, value);
    }
    return ofScalar(input, value);
  }

  private static Given ofTensor(Tensor t) {
    long[] shape = t.shape();
    String dtype = t.dtype().name().toLowerCase(java.util.Locale.ROOT);
    String desc = "Tensor '" + t.name() + "' " + dtype + " " + Arrays.toString(shape);
    DType d = t.dtype();
    switch (d) {
      case BOOL:
        {
          long n = t.size();
          if (n > MAX_ELEMENTS) {
            throw new ModelInputException(
                t.name(), desc + ": too many elements for one Java array");
          }
          boolean[] b = new boolean[(int) n];
          for (int i = 0; i < b.length; i++) {
            b[i] = t.getLong(i) != 0;
          }
          return new Given(b, shape, Category.BOOL, desc);
        }
      case FLOAT16:
      case BFLOAT16:
      case FLOAT32:
        return new Given(t.toFloatArray(), shape, Category.FLOAT32, desc);
      case FLOAT64:
        return new Given(t.toDoubleArray(), shape, Category.FLOAT64, desc);
      default:
        return new Given(t.toLongArray(), shape, Category.INTEGER, desc);
    }
  }

  private static Given ofScalar(String input, Object v) {
    long[] s = new long[0];
    String desc = v.getClass().getSimpleName() + " " + v;
    if (v instanceof Long x) {
      return new Given(new long[] {x}, s, Category.INTEGER, desc);
    }
    if (v instanceof Integer x) {
      return new Given(new int[] {x}, s, Category.INTEGER, desc);
    }
    if (v instanceof Short x) {
      return new Given(new short[] {x}, s, Category.INTEGER, desc);
    }
    if (v instanceof Byte x) {
      return new Given(new byte[] {x}, s, Category.INTEGER, desc);
    }
    if (v instanceof Float x) {
      return new Given(new float[] {x}, s, Category.FLOAT32, desc);
    }
    if (v instanceof Double x) {
      return new Given(new double[] {x}, s, Category.FLOAT64, desc);
    }
    if (v instanceof Boolean x) {
      return new Given(new boolean[] {x}, s, Category.BOOL, desc);
    }
    if (v instanceof String x) {
      return new Given(new String[] {x}, s, Category.STRING, "String");
    }
    throw new ModelInputException(
        input,
        "input '"
            + input
            + "': cannot take a "
            + v.getClass().getName()
            + "; pass a primitive array, a String[], an io.jvmready.Tensor or an Input");
  }

  private static Given ofArray(String input, Object array) {
    Class<?> c = array.getClass();
    int rank = 0;
    while (c.isArray()) {
      c = c.getComponentType();
      rank++;
    }
    Category cat = categoryOf(c);
    if (cat == null) {
      throw new ModelInputException(
          input,
          "input '"
              + input
              + "': cannot take a "
              + array.getClass().getSimpleName()
              + "; pass an array of long, int, short, byte, float, double, boolean or String");
    }
    long[] shape = new long[rank];
    Object a = array;
    for (int d = 0; d < rank; d++) {
      int n = Array.getLength(a);
      shape[d] = n;
      if (n == 0) {
        break; // deeper dimensions unknown: left 0 (and free, see InputConverter)
      }
      if (d < rank - 1) {
        a = Array.get(a, 0);
        if (a == null) {
          throw ragged(input, array, "a null row");
        }
      }
    }
    long total = 1;
    for (long d : shape) {
      total *= d;
      if (total > MAX_ELEMENTS) {
        throw new ModelInputException(input, "input '" + input + "': too many elements");
      }
    }
    String desc = describeArray(c, shape);
    if (rank == 1) {
      return new Given(array, shape, cat, desc);
    }
    Object flat = Array.newInstance(c, (int) total);
    int[] pos = {0};
    if (total > 0) {
      copyRows(input, array, array, shape, 0, flat, pos);
    }
    return new Given(flat, shape, cat, desc);
  }

  private static void copyRows(
      String input, Object root, Object a, long[] shape, int d, Object flat, int[] pos) {
    int n = Array.getLength(a);
    if (n != shape[d]) {
      throw ragged(input, root, "a row of length " + n + " where " + shape[d] + " was expected");
    }
    if (d == shape.length - 1) {
      System.arraycopy(a, 0, flat, pos[0], n);
      pos[0] += n;
      return;
    }
    for (int i = 0; i < n; i++) {
      Object row = Array.get(a, i);
      if (row == null) {
        throw ragged(input, root, "a null row");
      }
      copyRows(input, root, row, shape, d + 1, flat, pos);
    }
  }

  private static ModelInputException ragged(String input, Object array, String what) {
    return new ModelInputException(
        input,
        "input '"
            + input
            + "': given a ragged "
            + array.getClass().getSimpleName()
            + " ("
            + what
            + "); a tensor needs every row the same length");
  }

  private static Category categoryOf(Class<?> c) {
    if (c == long.class || c == int.class || c == short.class || c == byte.class) {
      return Category.INTEGER;
    }
    if (c == float.class) {
      return Category.FLOAT32;
    }
    if (c == double.class) {
      return Category.FLOAT64;
    }
    if (c == boolean.class) {
      return Category.BOOL;
    }
    if (c == String.class) {
      return Category.STRING;
    }
    return null;
  }

  /** {@code int[3][5]}. */
  static String describeArray(Class<?> component, long[] shape) {
    StringBuilder sb = new StringBuilder(component.getSimpleName());
    for (long d : shape) {
      sb.append('[').append(d).append(']');
    }
    return sb.toString();
  }

  /** The Java element type name of the data, for messages ({@code long}, {@code float}...). */
  String elementJavaName() {
    if (data instanceof LongBuffer) {
      return "long";
    }
    if (data instanceof IntBuffer) {
      return "int";
    }
    if (data instanceof FloatBuffer) {
      return "float";
    }
    if (data instanceof DoubleBuffer) {
      return "double";
    }
    return data.getClass().getComponentType().getSimpleName();
  }
}
