"""Scoring ONNX models over Spark DataFrames in the JVM (``jvmready score``; needs ``jvmready[spark]``).

The scoring itself is Java (``java/jvmready-spark``: ``io.jvmready.spark.OnnxTransformer``); this
package drives it from Python through pyspark, so a Python user scores exactly as a Spark job in
production would, with the same checked integer widths.
"""
