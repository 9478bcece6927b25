package io.jvmready;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Npz behaviour beyond the vectors: lazy inflation, temp files, closing, lookups. */
class NpzTest {
  @TempDir Path dir;

  /** A deflated npz written with java.util.zip (numpy-written ones are in the vectors). */
  private Path deflated(long[] values) throws IOException {
    ByteArrayOutputStream npy = new ByteArrayOutputStream();
    NpyWriter.write(npy, Tensors.ofLongs("seq", values));
    Path p = dir.resolve("d.npz");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(p))) {
      zip.putNextEntry(new ZipEntry("seq.npy"));
      zip.write(npy.toByteArray());
      zip.closeEntry();
    }
    return p;
  }

  @Test
  void deflatedEntrySpillsToATempFileDeletedOnClose() throws IOException {
    long[] values = new long[50_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = (long) i * i - (1L << 35);
    }
    Path p = deflated(values);
    Npz npz = Npz.open(p, 1 << 12, 0);
    assertTrue(npz.temporaryFiles().isEmpty(), "nothing inflated before it is asked for");
    Tensor t = npz.get("seq");
    assertArrayEquals(values, t.toLongArray());
    assertEquals(1, npz.temporaryFiles().size());
    Path tmp = npz.temporaryFiles().get(0);
    assertTrue(Files.exists(tmp));
    assertEquals(t, npz.get("seq"), "inflated once");
    npz.close();
    assertFalse(Files.exists(tmp));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.getLong(0));
    assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
    assertThrows(IllegalStateException.class, () -> npz.get("seq"));
  }

  @Test
  void deflatedEntryInMemory() throws IOException {
    Path p = deflated(new long[] {3, 1L << 33});
    try (Npz npz = Npz.open(p)) {
      assertArrayEquals(new long[] {3, 1L << 33}, npz.get("seq").toLongArray());
      assertTrue(npz.temporaryFiles().isEmpty());
    }
  }

  @Test
  void unknownNameListsTheNames() throws IOException {
    Path p = dir.resolve("s.npz");
    NpzWriter.write(p, List.of(Tensors.ofInts("a", new int[] {1}), Tensors.ofInts("b", new int[] {2})));
    try (Npz npz = Npz.open(p)) {
      assertTrue(npz.contains("a"));
      NoSuchElementException e = assertThrows(NoSuchElementException.class, () -> npz.get("c"));
      assertTrue(e.getMessage().contains("no array 'c'") && e.getMessage().contains("[a, b]"), e.getMessage());
    }
  }

  @Test
  void corruptDeflateStreamFailsOnAccessNamingTheEntry() throws IOException {
    long[] values = new long[10_000];
    java.util.Arrays.fill(values, 77);
    byte[] data = Files.readAllBytes(deflated(values));
    data[200] ^= 0x55; // inside the compressed data, past the npy header
    Npz npz = Npz.fromBytes("corrupt", data);
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> npz.get("seq"));
    assertTrue(e.getCause() instanceof TensorFileException);
    assertTrue(e.getMessage().contains("corrupt[seq.npy]"), e.getMessage());
  }
}
