package io.jvmready;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Randomly damaged copies of numpy- and safetensors-written vectors: each read either succeeds or
 * fails with one of the documented exceptions naming the file. Never an OutOfMemoryError, an
 * IndexOutOfBoundsException, a NegativeArraySizeException or any other surprise. Seeded, so a
 * failure reproduces.
 */
class FuzzTest {
  @TempDir Path dir;

  private static final String[][] SOURCES = {
    {"npy", "npy/int64_2d_misfit_at_9.npy"},
    {"npy", "npy/version2.npy"},
    {"npy", "npy/int64_fortran.npy"},
    {"npz", "npz/stored.npz"},
    {"npz", "npz/deflated.npz"},
    {"safetensors", "safetensors/mixed.safetensors"},
  };

  @Test
  void damagedFilesFailOnlyInDocumentedWays() throws IOException {
    Path vectors = VectorTest.vectorDir();
    Random random = new Random(20261125);
    int failures = 0;
    int runs = 0;
    for (String[] source : SOURCES) {
      byte[] good = Files.readAllBytes(vectors.resolve(source[1]));
      for (int round = 0; round < 150; round++) {
        byte[] bad = damage(good, random);
        Path file = dir.resolve("fuzz-" + round + "-" + Path.of(source[1]).getFileName());
        Files.write(file, bad);
        runs++;
        try {
          VectorTest.readEverything(source[0], file, false);
        } catch (TensorFileException | IllegalStateException | UncheckedIOException e) {
          failures++;
          assertTrue(String.valueOf(e.getMessage()).contains(file.toString()),
              () -> "error does not name the file: " + e);
        } catch (Throwable t) {
          fail("round " + round + " of " + source[1] + ": undocumented failure " + t, t);
        }
        Files.delete(file);
      }
    }
    assertTrue(failures > runs / 4, "most damaged files should be refused: " + failures + " of " + runs);
  }

  private static byte[] damage(byte[] good, Random random) {
    switch (random.nextInt(4)) {
      case 0: // truncate
        return Arrays.copyOf(good, random.nextInt(good.length));
      case 1: { // flip bytes in the first 256 (headers live there)
        byte[] b = good.clone();
        for (int k = 1 + random.nextInt(3); k > 0; k--) {
          b[random.nextInt(Math.min(256, b.length))] = (byte) random.nextInt(256);
        }
        return b;
      }
      case 2: { // flip bytes in the last 256 (zip directories live there)
        byte[] b = good.clone();
        for (int k = 1 + random.nextInt(3); k > 0; k--) {
          b[b.length - 1 - random.nextInt(Math.min(256, b.length))] = (byte) random.nextInt(256);
        }
        return b;
      }
      default: { // set a 32-bit field anywhere to a huge value
        byte[] b = good.clone();
        int at = random.nextInt(b.length - 4);
        int v = random.nextBoolean() ? 0xFFFFFFFF : 0x7FFFFFF0;
        for (int i = 0; i < 4; i++) {
          b[at + i] = (byte) (v >>> (8 * i));
        }
        return b;
      }
    }
  }
}
