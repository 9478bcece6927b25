package io.jvmready.bench;

import io.jvmready.IntegerWidthException;
import io.jvmready.Tensor;
import io.jvmready.Tensors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * int64 to int32 narrowing throughput: jvmready-core's {@link Tensor#toIntArrayExact()} (every
 * value checked, read from the tensor's little-endian storage), a checked loop over a heap {@code
 * long[]}, and the plain {@code (int)} cast loop that silently wraps. Throughput in GB/s is the
 * int64 input size divided by the time per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class Narrowing {
  /** Number of int64 elements (8 bytes each). */
  @Param("8388608")
  public int elements;

  private long[] longs;
  private Tensor tensor;

  /** Fills the input with values that all fit int32, spread over the whole range. */
  @Setup
  public void fill() {
    longs = new long[elements];
    for (int i = 0; i < elements; i++) {
      longs[i] = (int) (i * 2654435761L);
    }
    tensor = Tensors.ofLongs("table", longs, elements);
    int[] a = plainCast();
    int[] b = tensorToIntArrayExact();
    for (int i = 0; i < elements; i++) {
      if (a[i] != b[i] || a[i] != longs[i]) {
        throw new IllegalStateException("narrowing disagrees at flat index " + i);
      }
    }
  }

  /**
   * The folk fix: {@code (int)} on every element, no check (wraps silently).
   *
   * @return the narrowed values
   */
  @Benchmark
  public int[] plainCast() {
    long[] in = longs;
    int[] out = new int[in.length];
    for (int i = 0; i < in.length; i++) {
      out[i] = (int) in[i];
    }
    return out;
  }

  /**
   * A checked loop over the heap array: the cost of the range check alone.
   *
   * @return the narrowed values
   */
  @Benchmark
  public int[] checkedLoop() {
    long[] in = longs;
    int[] out = new int[in.length];
    for (int i = 0; i < in.length; i++) {
      long v = in[i];
      if (v != (int) v) {
        throw new IntegerWidthException("table", i, Long.toString(v), "int32");
      }
      out[i] = (int) v;
    }
    return out;
  }

  /**
   * jvmready-core's checked narrowing from tensor storage.
   *
   * @return the narrowed values
   */
  @Benchmark
  public int[] tensorToIntArrayExact() {
    return tensor.toIntArrayExact();
  }
}
