package io.jvmready.spark;

import io.jvmready.IntegerWidthException;
import io.jvmready.onnxruntime.Result;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayBasedMapData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * One model output of one batch, held as a flat primitive array and written into each row's
 * output columns as Catalyst values: primitives for {@code [batch]} outputs, an {@link
 * UnsafeArrayData} slice per row for {@code [batch, ...]}, a map for ZipMap. Not thread safe: one
 * per task.
 */
final class OutputColumn {
  private final OutputBinding binding;
  private final DataType element;
  private Object data;
  private int per;

  OutputColumn(OutputBinding binding) {
    this.binding = binding;
    this.element = Columns.sparkElement(binding.elementType());
  }

  /** Takes this output from a batch's result of {@code n} scored rows. */
  void load(Result result, int n) {
    String name = binding.output();
    switch (binding.kind()) {
      case MAP_LONG -> {
        List<Map<Long, Float>> maps = result.zipMap(name);
        checkRows(maps.size(), n);
        data = maps;
        return;
      }
      case MAP_STRING -> {
        List<Map<String, Float>> maps = result.zipMapStrings(name);
        checkRows(maps.size(), n);
        data = maps;
        return;
      }
      default -> {
        long[] shape = result.shape(name);
        checkRows(shape.length == 0 ? 1 : shape[0], n);
      }
    }
    data = values(result, name);
    per = n == 0 ? 0 : java.lang.reflect.Array.getLength(data) / n;
  }

  private void checkRows(long got, int n) {
    if (got != n) {
      throw new IllegalStateException(
          "model output '" + binding.output() + "' has " + got + " rows for a batch of " + n);
    }
  }

  /** The tensor's values as a flat array of the column's element type; narrowing checked. */
  private Object values(Result result, String name) {
    if (element.equals(DataTypes.FloatType)) {
      return result.floats(name);
    } else if (element.equals(DataTypes.DoubleType)) {
      return result.doubles(name);
    } else if (element.equals(DataTypes.BooleanType)) {
      return result.booleans(name);
    } else if (element.equals(DataTypes.StringType)) {
      String[] s = result.strings(name);
      UTF8String[] out = new UTF8String[s.length];
      for (int i = 0; i < s.length; i++) {
        out[i] = UTF8String.fromString(s[i]);
      }
      return out;
    } else if (element.equals(DataTypes.LongType)) {
      return result.longs(name);
    } else if (element.equals(DataTypes.IntegerType)) {
      return result.intsExact(name); // int32 as is; uint16 always fits, checked anyway
    }
    long[] a = result.longs(name);
    boolean isShort = element.equals(DataTypes.ShortType); // int16 or uint8, else int8
    long min = isShort ? Short.MIN_VALUE : Byte.MIN_VALUE;
    long max = isShort ? Short.MAX_VALUE : Byte.MAX_VALUE;
    for (int i = 0; i < a.length; i++) {
      if (a[i] < min || a[i] > max) {
        throw new IntegerWidthException(name, i, Long.toString(a[i]), isShort ? "int16" : "int8");
      }
    }
    if (isShort) {
      short[] out = new short[a.length];
      for (int i = 0; i < a.length; i++) {
        out[i] = (short) a[i];
      }
      return out;
    }
    byte[] out = new byte[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = (byte) a[i];
    }
    return out;
  }

  /** Writes scored row {@code i}'s value into field {@code k} of {@code row}. */
  void set(InternalRow row, int k, int i) {
    switch (binding.kind()) {
      case SCALAR -> setScalar(row, k, i);
      case ARRAY -> row.update(k, slice(i));
      case MAP_LONG -> {
        @SuppressWarnings("unchecked")
        Map<Long, Float> m = ((List<Map<Long, Float>>) data).get(i);
        long[] keys = new long[m.size()];
        float[] values = new float[m.size()];
        int j = 0;
        for (Map.Entry<Long, Float> e : m.entrySet()) {
          keys[j] = e.getKey();
          values[j++] = e.getValue();
        }
        row.update(
            k,
            new ArrayBasedMapData(
                UnsafeArrayData.fromPrimitiveArray(keys),
                UnsafeArrayData.fromPrimitiveArray(values)));
      }
      case MAP_STRING -> {
        @SuppressWarnings("unchecked")
        Map<String, Float> m = ((List<Map<String, Float>>) data).get(i);
        UTF8String[] keys = new UTF8String[m.size()];
        float[] values = new float[m.size()];
        int j = 0;
        for (Map.Entry<String, Float> e : m.entrySet()) {
          keys[j] = UTF8String.fromString(e.getKey());
          values[j++] = e.getValue();
        }
        row.update(
            k,
            new ArrayBasedMapData(
                new GenericArrayData(keys), UnsafeArrayData.fromPrimitiveArray(values)));
      }
    }
  }

  private void setScalar(InternalRow row, int k, int i) {
    Object d = data;
    if (d instanceof float[] a) {
      row.setFloat(k, a[i]);
    } else if (d instanceof long[] a) {
      row.setLong(k, a[i]);
    } else if (d instanceof int[] a) {
      row.setInt(k, a[i]);
    } else if (d instanceof double[] a) {
      row.setDouble(k, a[i]);
    } else if (d instanceof boolean[] a) {
      row.setBoolean(k, a[i]);
    } else if (d instanceof short[] a) {
      row.setShort(k, a[i]);
    } else if (d instanceof byte[] a) {
      row.setByte(k, a[i]);
    } else {
      row.update(k, ((UTF8String[]) d)[i]);
    }
  }

  /** Row {@code i}'s values, flat C order, as one array value. */
  private Object slice(int i) {
    Object d = data;
    int from = i * per;
    if (d instanceof float[]) {
      return unsafe(d, Platform.FLOAT_ARRAY_OFFSET, from, 4);
    } else if (d instanceof long[]) {
      return unsafe(d, Platform.LONG_ARRAY_OFFSET, from, 8);
    } else if (d instanceof int[]) {
      return unsafe(d, Platform.INT_ARRAY_OFFSET, from, 4);
    } else if (d instanceof double[]) {
      return unsafe(d, Platform.DOUBLE_ARRAY_OFFSET, from, 8);
    } else if (d instanceof boolean[]) {
      return unsafe(d, Platform.BOOLEAN_ARRAY_OFFSET, from, 1);
    } else if (d instanceof short[]) {
      return unsafe(d, Platform.SHORT_ARRAY_OFFSET, from, 2);
    } else if (d instanceof byte[]) {
      return unsafe(d, Platform.BYTE_ARRAY_OFFSET, from, 1);
    }
    return new GenericArrayData(Arrays.copyOfRange((UTF8String[]) d, from, from + per));
  }

  private UnsafeArrayData unsafe(Object array, int base, int from, int size) {
    int offset = Math.toIntExact(base + (long) from * size);
    return UnsafeArrayData.fromPrimitiveArray(array, offset, per, size);
  }
}
