/**
 * JMH benchmarks behind {@code docs/benchmarks.md}: {@link io.jvmready.bench.RunnerOverhead}
 * (ModelRunner against raw ONNX Runtime Java), {@link io.jvmready.bench.Narrowing} (checked int64
 * to int32 against plain casts) and {@link io.jvmready.bench.SafeTensorsOpen} (time to first value
 * against file size). {@code bench/run.py} builds the inputs and runs them.
 */
package io.jvmready.bench;
