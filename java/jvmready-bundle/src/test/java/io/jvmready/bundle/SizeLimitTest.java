package io.jvmready.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmready.TensorFileException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Single-message bundles over 2 GiB are refused from the file size, before anything is read. */
class SizeLimitTest {
  @TempDir Path dir;

  /** A sparse file of {@code size} bytes starting with {@code head}: no disk space used. */
  private Path sparse(String name, byte[] head, long size) throws IOException {
    Path p = dir.resolve(name);
    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
      f.write(head);
      f.setLength(size);
    }
    return p;
  }

  @Test
  void protobufOver2GiBIsRefused() throws IOException {
    byte[] head = "\n\u000fjvmready.bundle".getBytes(StandardCharsets.ISO_8859_1);
    Path p = sparse("huge.pb", head, (1L << 31) + 8);
    assertEquals(BundleFormat.PROTOBUF, BundleFormat.detect(p));
    TensorFileException e = assertThrows(TensorFileException.class, () -> Bundle.open(p));
    assertTrue(e.getMessage().endsWith("huge.pb: over 2 GiB: too large for a protobuf bundle"));
  }

  @Test
  void avroOver2GiBIsRefused() throws IOException {
    Path p = sparse("huge.avro", new byte[] {'O', 'b', 'j', 1}, (1L << 31) + 8);
    assertEquals(BundleFormat.AVRO, BundleFormat.detect(p));
    TensorFileException e = assertThrows(TensorFileException.class, () -> Bundle.open(p));
    assertTrue(e.getMessage().endsWith("huge.avro: over 2 GiB: too large for an Avro bundle"));
  }
}
