package io.jvmready.bench;

import io.jvmready.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Time to first value: open a safetensors file of {@code gb} GiB (mostly one sparse float
 * tensor, written by {@code bench/sparse_safetensors.py}), read the first value of the small
 * int64 tensor {@code ids} stored at its end, close. With memory mapping this should not grow
 * with the file size.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SafeTensorsOpen {
  /** Directory holding {@code sparse-<gb>gb.safetensors}. */
  @Param("")
  public String dir;

  /** File size in GiB. */
  @Param({"1", "4"})
  public int gb;

  /** The value {@code bench/sparse_safetensors.py} stores first in {@code ids}. */
  static final long FIRST_ID = 7;

  private Path file;

  /**
   * Finds the file and checks the value read is the one written.
   *
   * @throws IOException if the file cannot be read
   */
  @Setup
  public void locate() throws IOException {
    file = Path.of(dir, "sparse-" + gb + "gb.safetensors");
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + ": missing; bench/run.py writes it");
    }
    long v = openAndReadFirst();
    if (v != FIRST_ID) {
      throw new IllegalStateException(file + ": ids[0] is " + v + ", expected " + FIRST_ID);
    }
  }

  /**
   * Open (header validated), read {@code ids[0]}, close.
   *
   * @return the first value
   * @throws IOException if the file cannot be read
   */
  @Benchmark
  public long openAndReadFirst() throws IOException {
    try (SafeTensors st = SafeTensors.open(file)) {
      return st.get("ids").getLong(0);
    }
  }
}
