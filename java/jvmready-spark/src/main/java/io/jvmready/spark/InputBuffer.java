package io.jvmready.spark;

import io.jvmready.onnxruntime.Input;
import io.jvmready.onnxruntime.ModelInputException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.SpecializedGetters;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.unsafe.Platform;

/**
 * One model input's batch, filled row by row straight from Catalyst's {@link InternalRow}s into
 * one flat primitive array, then handed to ONNX Runtime as one direct buffer plus a shape.
 *
 * <p>An integer column feeding an {@code int32} or {@code int64} input is converted while it is
 * copied, every narrowed value range-checked: a value that does not fit fails with a {@link
 * ColumnValueException} naming the column, partition, row and value. Other pairs are passed in
 * the column's own type and converted (or refused) by jvmready's ONNX Runtime adapter. Not thread
 * safe: one per task.
 */
final class InputBuffer {
  /** What the batch is stored as. */
  private enum Storage {
    INT,
    LONG,
    FLOAT,
    DOUBLE,
    BOOL,
    STRING
  }

  /** The column's integer element type (other element types need no distinction here). */
  private enum IntWidth {
    LONG,
    INT,
    SHORT,
    BYTE,
    NONE
  }

  /** Where a row's values come from. */
  private enum Source {
    SCALAR,
    ARRAY,
    VECTOR
  }

  private final InputBinding binding;
  private final int ordinal;
  private final Source source;
  private final DataType element;
  private final Storage storage;
  private final IntWidth integer;
  private final boolean mayHoldNullElements;
  private final int declaredWidth;
  private final int batchSize;

  private int width;
  private boolean allocated; // the arrays hold batchSize rows of the current width
  private int rows;
  private int[] ints;
  private long[] longs;
  private float[] floats;
  private double[] doubles;
  private boolean[] bools;
  private String[] strings;
  private ByteBuffer direct;
  private ArrayData pending; // the array column value {@link #missing} read, for append

  InputBuffer(InputBinding binding, long[] declaredShape, int batchSize) {
    this.binding = binding;
    this.ordinal = binding.columnIndex();
    this.batchSize = batchSize;
    DataType t = binding.columnType();
    if (t.equals(SQLDataTypes.VectorType())) {
      source = Source.VECTOR;
      element = DataTypes.DoubleType;
      mayHoldNullElements = false;
    } else if (t instanceof ArrayType a) {
      source = Source.ARRAY;
      element = a.elementType();
      mayHoldNullElements = a.containsNull();
    } else {
      source = Source.SCALAR;
      element = t;
      mayHoldNullElements = false;
    }
    storage = storage(element, binding.elementType());
    integer =
        element.equals(DataTypes.LongType)
            ? IntWidth.LONG
            : element.equals(DataTypes.IntegerType)
                ? IntWidth.INT
                : element.equals(DataTypes.ShortType)
                    ? IntWidth.SHORT
                    : element.equals(DataTypes.ByteType) ? IntWidth.BYTE : IntWidth.NONE;
    if (binding.rank() == 1) {
      declaredWidth = 1;
    } else if (source == Source.SCALAR) {
      declaredWidth = 1; // a scalar column fed to [batch, 1]
    } else {
      declaredWidth =
          declaredShape.length > 1 && declaredShape[1] >= 0
              ? Math.toIntExact(declaredShape[1]) // a width beyond int fails, never wraps
              : -1;
    }
    width = declaredWidth;
  }

  /**
   * Integers go straight to the declared width when it is int32 or int64 (checked); everything
   * else stays in the column's own type for the adapter to convert or refuse.
   */
  private static Storage storage(DataType element, String declared) {
    boolean integer =
        element.equals(DataTypes.LongType)
            || element.equals(DataTypes.IntegerType)
            || element.equals(DataTypes.ShortType)
            || element.equals(DataTypes.ByteType);
    if (integer && declared.equals("int32")) {
      return Storage.INT;
    }
    if (integer && declared.equals("int64")) {
      return Storage.LONG;
    }
    if (element.equals(DataTypes.LongType)) {
      return Storage.LONG;
    }
    if (integer) {
      return Storage.INT; // byte and short widen exactly; the adapter narrows (checked) if needed
    }
    if (element.equals(DataTypes.FloatType)) {
      return Storage.FLOAT;
    }
    if (element.equals(DataTypes.DoubleType)) {
      return Storage.DOUBLE;
    }
    if (element.equals(DataTypes.BooleanType)) {
      return Storage.BOOL;
    }
    return Storage.STRING;
  }

  /** Rows in the batch so far. */
  int rows() {
    return rows;
  }

  /** Values per row in this batch ({@code -1} before the first row of a dynamic width). */
  int width() {
    return width;
  }

  /** Starts a new batch. */
  void clear() {
    rows = 0;
    width = declaredWidth;
    allocated &= declaredWidth >= 0;
  }

  /** True if the row's value is null or (for an array) holds a null element. */
  boolean missing(InternalRow row) {
    pending = null;
    if (row.isNullAt(ordinal)) {
      return true;
    }
    if (source != Source.ARRAY) {
      return false;
    }
    pending = row.getArray(ordinal);
    return mayHoldNullElements && hasNull(pending);
  }

  private static boolean hasNull(ArrayData a) {
    int n = a.numElements();
    if (a instanceof UnsafeArrayData u) {
      // the null bits: one word per 64 elements after the length word
      Object base = u.getBaseObject();
      long bits = u.getBaseOffset() + 8;
      for (int w = 0; w < (n + 63) / 64; w++) {
        if (Platform.getLong(base, bits + 8L * w) != 0) {
          return true;
        }
      }
      return false;
    }
    for (int j = 0; j < n; j++) {
      if (a.isNullAt(j)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Appends one row's values; the caller checked {@link #missing} on the same row first.
   *
   * @param row the row
   * @param partition the partition, for messages
   * @param rowIndex the row's index within its partition, for messages
   */
  void append(InternalRow row, int partition, long rowIndex) {
    switch (source) {
      case SCALAR -> {
        ensure(1, partition, rowIndex);
        copy(row, ordinal, 1, rows, partition, rowIndex);
      }
      case ARRAY -> {
        ArrayData a = pending != null ? pending : row.getArray(ordinal);
        pending = null;
        int n = a.numElements();
        ensure(n, partition, rowIndex);
        copy(a, 0, n, rows * width, partition, rowIndex);
      }
      case VECTOR -> appendVector(row.getStruct(ordinal, 4), partition, rowIndex);
    }
    rows++;
  }

  /** An ML vector (type, size, indices, values): dense copied, sparse scattered into zeros. */
  private void appendVector(InternalRow v, int partition, long rowIndex) {
    boolean dense = v.getByte(0) == 1;
    ArrayData values = v.getArray(3);
    int n = dense ? values.numElements() : v.getInt(1);
    ensure(n, partition, rowIndex);
    int pos = rows * width;
    if (dense) {
      copy(values, 0, n, pos, partition, rowIndex);
      return;
    }
    ArrayData indices = v.getArray(2);
    for (int j = 0; j < n; j++) {
      put(pos + j, 0.0);
    }
    for (int j = 0; j < indices.numElements(); j++) {
      put(pos + indices.getInt(j), values.getDouble(j));
    }
  }

  private void put(int pos, double value) {
    if (storage == Storage.DOUBLE) {
      doubles[pos] = value;
    } else {
      throw new IllegalStateException("vector column stored as " + storage);
    }
  }

  /** Fixes the batch width at the first row and allocates; refuses rows of another width. */
  private void ensure(int n, int partition, long rowIndex) {
    if (allocated && n == width) {
      return;
    }
    if (width < 0) {
      width = n;
    }
    if (n != width) {
      throw new ModelInputException(
          binding.input(),
          "column '"
              + binding.column()
              + "', partition "
              + partition
              + ", row "
              + rowIndex
              + ": "
              + n
              + " value(s), but "
              + (declaredWidth >= 0
                  ? "model input '" + binding.input() + "' declares " + binding.declared()
                  : "the batch's first row has " + width)
              + "; every row of the column must hold the same number of values");
    }
    int need = Math.multiplyExact(batchSize, Math.max(width, 1));
    switch (storage) {
      case INT -> ints = grow(ints, need);
      case LONG -> longs = grow(longs, need);
      case FLOAT -> floats = grow(floats, need);
      case DOUBLE -> doubles = grow(doubles, need);
      case BOOL -> bools = bools != null && bools.length >= need ? bools : new boolean[need];
      case STRING -> strings = strings != null && strings.length >= need ? strings : new String[need];
    }
    allocated = true;
  }

  private static int[] grow(int[] a, int need) {
    return a != null && a.length >= need ? a : new int[need];
  }

  private static long[] grow(long[] a, int need) {
    return a != null && a.length >= need ? a : new long[need];
  }

  private static float[] grow(float[] a, int need) {
    return a != null && a.length >= need ? a : new float[need];
  }

  private static double[] grow(double[] a, int need) {
    return a != null && a.length >= need ? a : new double[need];
  }

  /**
   * Copies {@code n} values read at ordinals {@code from...} of {@code g} (a row or an array) to
   * flat position {@code pos}, converting to the storage type (narrowing checked).
   */
  private void copy(SpecializedGetters g, int from, int n, int pos, int partition, long rowIndex) {
    switch (storage) {
      case INT -> {
        if (integer == IntWidth.INT) {
          if (!bulk(g, n, ints, Platform.INT_ARRAY_OFFSET, pos, 4)) {
            for (int j = 0; j < n; j++) {
              ints[pos + j] = g.getInt(from + j);
            }
          }
        } else if (integer == IntWidth.LONG) {
          for (int j = 0; j < n; j++) {
            long v = g.getLong(from + j);
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
              throw new ColumnValueException(
                  binding.column(),
                  binding.input(),
                  partition,
                  rowIndex,
                  pos + j,
                  Long.toString(v),
                  "int32",
                  binding.declared());
            }
            ints[pos + j] = (int) v;
          }
        } else if (integer == IntWidth.SHORT) {
          for (int j = 0; j < n; j++) {
            ints[pos + j] = g.getShort(from + j);
          }
        } else {
          for (int j = 0; j < n; j++) {
            ints[pos + j] = g.getByte(from + j);
          }
        }
      }
      case LONG -> {
        if (integer == IntWidth.LONG) {
          if (!bulk(g, n, longs, Platform.LONG_ARRAY_OFFSET, pos, 8)) {
            for (int j = 0; j < n; j++) {
              longs[pos + j] = g.getLong(from + j);
            }
          }
        } else if (integer == IntWidth.INT) {
          for (int j = 0; j < n; j++) {
            longs[pos + j] = g.getInt(from + j);
          }
        } else if (integer == IntWidth.SHORT) {
          for (int j = 0; j < n; j++) {
            longs[pos + j] = g.getShort(from + j);
          }
        } else {
          for (int j = 0; j < n; j++) {
            longs[pos + j] = g.getByte(from + j);
          }
        }
      }
      case FLOAT -> {
        if (!bulk(g, n, floats, Platform.FLOAT_ARRAY_OFFSET, pos, 4)) {
          for (int j = 0; j < n; j++) {
            floats[pos + j] = g.getFloat(from + j);
          }
        }
      }
      case DOUBLE -> {
        if (!bulk(g, n, doubles, Platform.DOUBLE_ARRAY_OFFSET, pos, 8)) {
          for (int j = 0; j < n; j++) {
            doubles[pos + j] = g.getDouble(from + j);
          }
        }
      }
      case BOOL -> {
        for (int j = 0; j < n; j++) {
          bools[pos + j] = g.getBoolean(from + j);
        }
      }
      case STRING -> {
        for (int j = 0; j < n; j++) {
          strings[pos + j] = g.getUTF8String(from + j).toString();
        }
      }
    }
  }

  /** One memory copy of an unsafe array's values of the storage's own type; false if not one. */
  private static boolean bulk(
      SpecializedGetters g, int n, Object dest, long destBase, int pos, int size) {
    if (!(g instanceof UnsafeArrayData u)) {
      return false;
    }
    long header = UnsafeArrayData.calculateHeaderPortionInBytes(n);
    Platform.copyMemory(
        u.getBaseObject(), u.getBaseOffset() + header, dest, destBase + (long) pos * size,
        (long) n * size);
    return true;
  }

  /**
   * The batch as the model input's value: a direct buffer plus shape ({@code [rows]} or {@code
   * [rows, width]}) for numbers, arrays for booleans and strings. The buffer is reused by the
   * next batch: feed it to one run before appending again.
   */
  Object feed() {
    int w = Math.max(width, 0);
    int n = binding.rank() == 1 ? rows : rows * w;
    long[] shape = binding.rank() == 1 ? new long[] {rows} : new long[] {rows, w};
    switch (storage) {
      case INT -> {
        IntBuffer b = directBuffer(n, 4).asIntBuffer();
        b.put(ints, 0, n).flip();
        return Input.of(b, shape);
      }
      case LONG -> {
        LongBuffer b = directBuffer(n, 8).asLongBuffer();
        b.put(longs, 0, n).flip();
        return Input.of(b, shape);
      }
      case FLOAT -> {
        FloatBuffer b = directBuffer(n, 4).asFloatBuffer();
        b.put(floats, 0, n).flip();
        return Input.of(b, shape);
      }
      case DOUBLE -> {
        DoubleBuffer b = directBuffer(n, 8).asDoubleBuffer();
        b.put(doubles, 0, n).flip();
        return Input.of(b, shape);
      }
      case BOOL -> {
        boolean[] flat = Arrays.copyOf(bools == null ? new boolean[0] : bools, n);
        if (binding.rank() == 1) {
          return flat;
        }
        boolean[][] out = new boolean[rows][];
        for (int i = 0; i < rows; i++) {
          out[i] = Arrays.copyOfRange(flat, i * w, (i + 1) * w);
        }
        return out;
      }
      default -> {
        String[] flat = Arrays.copyOf(strings == null ? new String[0] : strings, n);
        if (binding.rank() == 1) {
          return flat;
        }
        String[][] out = new String[rows][];
        for (int i = 0; i < rows; i++) {
          out[i] = Arrays.copyOfRange(flat, i * w, (i + 1) * w);
        }
        return out;
      }
    }
  }

  /** A native-order direct buffer of at least {@code n} values, reused across batches. */
  private ByteBuffer directBuffer(int n, int size) {
    int bytes = Math.multiplyExact(Math.max(n, 1), size);
    if (direct == null || direct.capacity() < bytes) {
      int capacity = Math.max(bytes, Math.multiplyExact(batchSize, Math.max(width, 1) * size));
      direct = ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
    }
    direct.clear();
    return direct;
  }

  /** The binding this buffer fills. */
  InputBinding binding() {
    return binding;
  }
}
