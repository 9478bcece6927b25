package io.jvmready.spark;

import java.io.Serializable;

/**
 * A model output written to a new DataFrame column.
 *
 * @param output the model output name
 * @param column the new column's name
 * @param kind how one row's value is shaped
 * @param elementType the ONNX element type ({@code "int32"}, {@code "float"}...; for a map, its
 *     value type)
 * @param rowShape the dimensions of one row's value (the declared shape without the batch
 *     dimension; empty for scalars and maps)
 */
record OutputBinding(String output, String column, Kind kind, String elementType, long[] rowShape)
    implements Serializable {

  /** How an output becomes a column value. */
  enum Kind {
    /** A tensor of shape {@code [batch]}: one value per row. */
    SCALAR,
    /** A tensor of shape {@code [batch, ...]}: an array per row, flat C order. */
    ARRAY,
    /** A sequence of int64-keyed maps (scikit-learn's ZipMap): {@code map<bigint,float>}. */
    MAP_LONG,
    /** A sequence of string-keyed maps: {@code map<string,float>}. */
    MAP_STRING
  }

  /** Number of values in one row of an {@link Kind#ARRAY} output, {@code -1} if not fixed. */
  long rowSize() {
    long n = 1;
    for (long d : rowShape) {
      if (d < 0) {
        return -1;
      }
      n *= d;
    }
    return n;
  }
}
