package io.jvmready.spark;

import io.jvmready.onnxruntime.IoSpec;
import java.util.Arrays;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * Which Spark column types feed model inputs, and which column type each model output becomes.
 * The values themselves are moved by {@link InputBuffer} and {@link OutputColumn}.
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
}
