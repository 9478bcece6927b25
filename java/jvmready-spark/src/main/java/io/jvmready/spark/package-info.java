/**
 * Scoring ONNX models over Spark DataFrames with checked integer widths: {@link
 * io.jvmready.spark.OnnxTransformer} is a Spark ML {@code Transformer} that runs a model through
 * jvmready's ONNX Runtime adapter, one session per executor JVM, in mini-batches.
 */
package io.jvmready.spark;
