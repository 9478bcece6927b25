package io.jvmready.spark;

import io.jvmready.IntegerWidthException;
import io.jvmready.onnxruntime.IoSpec;
import io.jvmready.onnxruntime.Result;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Conversions between Spark column values and the Java arrays jvmready's ONNX Runtime adapter takes
 * and returns. Integer columns are passed in their own width; the adapter widens or narrows them
 * to what the model declares, checking every value.
 */
final class Columns {
  private Columns() {}

  /** The Java element class a column of this Spark type is passed as, or null if unsupported. */
  static Class<?> javaElement(DataType t) {
    if (t.equals(DataTypes.LongType)) {
      return long.class;
    } else if (t.equals(DataTypes.IntegerType)) {
      return int.class;
    } else if (t.equals(DataTypes.ShortType)) {
      return short.class;
    } else if (t.equals(DataTypes.ByteType)) {
      return byte.class;
    } else if (t.equals(DataTypes.FloatType)) {
      return float.class;
    } else if (t.equals(DataTypes.DoubleType)) {
      return double.class;
    } else if (t.equals(DataTypes.BooleanType)) {
      return boolean.class;
    } else if (t.equals(DataTypes.StringType)) {
      return String.class;
    }
    return null;
  }

  /** True for a column that holds one row of values: an array of a supported type, or a vector. */
  static boolean isRowOfValues(DataType t) {
    return t.equals(SQLDataTypes.VectorType())
        || (t instanceof ArrayType a && javaElement(a.elementType()) != null);
  }

  /** The Spark type of one value of an output, or null if the element type has no column type. */
  static DataType sparkElement(String onnxElementType) {
    return switch (onnxElementType) {
      case "int64", "uint32" -> DataTypes.LongType;
      case "int32", "uint16" -> DataTypes.IntegerType;
      case "int16", "uint8" -> DataTypes.ShortType;
      case "int8" -> DataTypes.ByteType;
      case "float" -> DataTypes.FloatType;
      case "double" -> DataTypes.DoubleType;
      case "bool" -> DataTypes.BooleanType;
      case "string" -> DataTypes.StringType;
      default -> null;
    };
  }

  /** The column type of an output binding. */
  static DataType columnType(OutputBinding b) {
    return switch (b.kind()) {
      case SCALAR -> sparkElement(b.elementType());
      case ARRAY -> DataTypes.createArrayType(sparkElement(b.elementType()), false);
      case MAP_LONG -> DataTypes.createMapType(DataTypes.LongType, DataTypes.FloatType, false);
      case MAP_STRING -> DataTypes.createMapType(DataTypes.StringType, DataTypes.FloatType, false);
    };
  }

  /** How an output becomes a column, or an explanation of why it cannot. */
  static OutputBinding bind(IoSpec spec, String column) {
    String why = null;
    OutputBinding.Kind kind = null;
    long[] rowShape = new long[0];
    if (spec.kind() == IoSpec.Kind.TENSOR) {
      if (sparkElement(spec.elementType()) == null) {
        why = "its element type has no Spark column type";
      } else if (spec.rank() == 0) {
        why = "it is a scalar, not one value per row";
      } else {
        kind = spec.rank() == 1 ? OutputBinding.Kind.SCALAR : OutputBinding.Kind.ARRAY;
        rowShape = Arrays.copyOfRange(spec.shape(), 1, spec.rank());
      }
    } else if (spec.isSequenceOfMaps() && spec.elementType().equals("float")) {
      boolean longKeys = spec.keyType().equals("int64");
      kind = longKeys ? OutputBinding.Kind.MAP_LONG : OutputBinding.Kind.MAP_STRING;
    } else {
      why = "only tensors and sequences of float maps (ZipMap) become columns";
    }
    if (why != null) {
      throw new IllegalArgumentException(
          "model output '"
              + spec.name()
              + "' ("
              + spec.describe()
              + ") cannot become a column: "
              + why
              + "; leave it out with setOutputColumn(...) for the others");
    }
    return new OutputBinding(spec.name(), column, kind, spec.elementType(), rowShape);
  }

  /**
   * The batch tensor of one input for the given rows, as a Java array of the column's own width:
   * {@code long[n]} for a bigint column and a rank-1 input, {@code int[n][k]} for an array of ints
   * and a rank-2 input, {@code double[n][k]} for a vector column.
   */
  static Object batch(InputBinding b, List<Row> rows) {
    int n = rows.size();
    DataType t = b.columnType();
    if (t.equals(SQLDataTypes.VectorType())) {
      double[][] out = new double[n][];
      for (int i = 0; i < n; i++) {
        out[i] = ((Vector) rows.get(i).get(b.columnIndex())).toArray();
      }
      return out;
    }
    if (t instanceof ArrayType a) {
      Class<?> element = javaElement(a.elementType());
      Object out = Array.newInstance(element.arrayType(), n);
      for (int i = 0; i < n; i++) {
        List<Object> values = rows.get(i).getList(b.columnIndex());
        Object row = Array.newInstance(element, values.size());
        for (int j = 0; j < values.size(); j++) {
          Array.set(row, j, values.get(j));
        }
        Array.set(out, i, row);
      }
      return out;
    }
    Class<?> element = javaElement(t);
    Object flat = Array.newInstance(element, n);
    for (int i = 0; i < n; i++) {
      Array.set(flat, i, rows.get(i).get(b.columnIndex()));
    }
    if (b.rank() == 1) {
      return flat;
    }
    // a scalar column fed to a [batch, 1] input
    Object out = Array.newInstance(element.arrayType(), n);
    for (int i = 0; i < n; i++) {
      Object row = Array.newInstance(element, 1);
      Array.set(row, 0, Array.get(flat, i));
      Array.set(out, i, row);
    }
    return out;
  }

  /** True if the row's value for this input is null or holds a null element. */
  static boolean isNull(InputBinding b, Row row) {
    if (row.isNullAt(b.columnIndex())) {
      return true;
    }
    if (b.columnType() instanceof ArrayType) {
      return row.getList(b.columnIndex()).contains(null);
    }
    return false;
  }

  /** The column values of one output for the {@code n} rows of a batch, in row order. */
  static Object[] values(Result result, OutputBinding b, int n) {
    Object[] out = new Object[n];
    String name = b.output();
    if (b.kind() == OutputBinding.Kind.MAP_LONG) {
      List<Map<Long, Float>> maps = result.zipMap(name);
      checkRows(b, maps.size(), n);
      for (int i = 0; i < n; i++) {
        out[i] = CollectionConverters.asScala(maps.get(i));
      }
      return out;
    }
    if (b.kind() == OutputBinding.Kind.MAP_STRING) {
      List<Map<String, Float>> maps = result.zipMapStrings(name);
      checkRows(b, maps.size(), n);
      for (int i = 0; i < n; i++) {
        out[i] = CollectionConverters.asScala(maps.get(i));
      }
      return out;
    }
    long[] shape = result.shape(name);
    checkRows(b, shape.length == 0 ? 1 : shape[0], n);
    Object[] flat = boxed(result, b);
    int per = n == 0 ? 0 : flat.length / n;
    for (int i = 0; i < n; i++) {
      if (b.kind() == OutputBinding.Kind.SCALAR) {
        out[i] = flat[i];
      } else {
        List<Object> row = new ArrayList<>(Arrays.asList(flat).subList(i * per, (i + 1) * per));
        out[i] = CollectionConverters.asScala(row);
      }
    }
    return out;
  }

  private static void checkRows(OutputBinding b, long got, int n) {
    if (got != n) {
      throw new IllegalStateException(
          "model output '" + b.output() + "' has " + got + " rows for a batch of " + n);
    }
  }

  /** A tensor output's values boxed as its column's element type, flat C order. */
  private static Object[] boxed(Result result, OutputBinding b) {
    String name = b.output();
    DataType t = sparkElement(b.elementType());
    if (t.equals(DataTypes.FloatType)) {
      float[] a = result.floats(name);
      Object[] out = new Object[a.length];
      for (int i = 0; i < a.length; i++) {
        out[i] = a[i];
      }
      return out;
    } else if (t.equals(DataTypes.DoubleType)) {
      return Arrays.stream(result.doubles(name)).boxed().toArray();
    } else if (t.equals(DataTypes.BooleanType)) {
      boolean[] a = result.booleans(name);
      Object[] out = new Object[a.length];
      for (int i = 0; i < a.length; i++) {
        out[i] = a[i];
      }
      return out;
    } else if (t.equals(DataTypes.StringType)) {
      return result.strings(name);
    } else if (t.equals(DataTypes.IntegerType)) {
      // exact: an int32 (or uint16) output always fits; intsExact checks it anyway
      boolean int32 = b.elementType().equals("int32");
      int[] ints = int32 ? result.intsExact(name) : toInts(result.longs(name), name);
      return Arrays.stream(ints).boxed().toArray();
    } else if (t.equals(DataTypes.LongType)) {
      return Arrays.stream(result.longs(name)).boxed().toArray();
    } else if (t.equals(DataTypes.ShortType)) {
      long[] a = result.longs(name);
      Object[] out = new Object[a.length];
      for (int i = 0; i < a.length; i++) {
        out[i] = (short) Math.toIntExact(a[i]); // int16 or uint8: always in range
      }
      return out;
    }
    long[] a = result.longs(name); // int8
    Object[] out = new Object[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = (byte) a[i];
    }
    return out;
  }

  private static int[] toInts(long[] a, String name) {
    int[] out = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      if (a[i] < Integer.MIN_VALUE || a[i] > Integer.MAX_VALUE) {
        throw new IntegerWidthException(name, i, Long.toString(a[i]), "int32");
      }
      out[i] = (int) a[i];
    }
    return out;
  }
}
