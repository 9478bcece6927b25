package io.jvmready.spark;

import java.io.Serializable;
import org.apache.spark.sql.types.DataType;

/**
 * A model input fed from a DataFrame column.
 *
 * @param input the model input name
 * @param column the DataFrame column name
 * @param columnIndex the column's position in the input schema
 * @param columnType the column's Spark type
 * @param rank the rank the model declares for the input (1: one value per row; 2: a row of
 *     values, from an array or vector column, or a scalar column as {@code [batch, 1]})
 * @param declared the input's declaration for messages, e.g. {@code "tensor(int32) [batch]"}
 * @param elementType the ONNX element type the model declares, e.g. {@code "int32"}
 */
record InputBinding(
    String input,
    String column,
    int columnIndex,
    DataType columnType,
    int rank,
    String declared,
    String elementType)
    implements Serializable {}
