package io.jvmready;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NpyWriter and NpzWriter round trips; numpy reading them is tested on the Python side. */
class WriterTest {
  @TempDir Path dir;

  private static Tensor of(DType dtype, long... bits) {
    ByteBuffer b =
        ByteBuffer.wrap(RawFiles.bytes(bits, dtype.itemSize(), ByteOrder.LITTLE_ENDIAN))
            .order(ByteOrder.LITTLE_ENDIAN);
    return Tensors.wrap(dtype.name().toLowerCase(java.util.Locale.ROOT), dtype, new long[] {bits.length}, b);
  }

  private static void assertSameBits(Tensor expected, Tensor actual) {
    assertEquals(expected.dtype(), actual.dtype());
    assertArrayEquals(expected.shape(), actual.shape());
    for (long i = 0; i < expected.size(); i++) {
      assertEquals(((StoredTensor) expected).rawBits(i), ((StoredTensor) actual).rawBits(i), "element " + i);
    }
  }

  @Test
  void npyRoundTripsEveryNpyDtype() throws IOException {
    for (DType d : DType.values()) {
      if (d == DType.BFLOAT16) {
        Tensor bf = of(d, 0x3F80);
        assertThrows(IllegalArgumentException.class, () -> NpyWriter.write(dir.resolve("bf.npy"), bf));
        assertFalse(Files.exists(dir.resolve("bf.npy")));
        continue;
      }
      Tensor t = d == DType.BOOL ? of(d, 1, 0, 1) : of(d, 0, -1, Long.MIN_VALUE, 0x7F, 12345);
      Path p = dir.resolve(t.name() + ".npy");
      NpyWriter.write(p, t);
      Tensor back = Npy.open(p);
      assertEquals(t.name(), back.name());
      assertSameBits(t, back);
      assertEquals(0, (Files.size(p) - t.size() * d.itemSize()) % 64, "header padded to 64 bytes like numpy");
    }
  }

  @Test
  void fortranAndBigEndianSourcesAreWrittenInCOrderLittleEndian() throws IOException {
    ByteBuffer be = ByteBuffer.allocate(6 * 8).order(ByteOrder.BIG_ENDIAN);
    // Fortran order of [[0, 1, 2], [3, 4, 5]] is 0, 3, 1, 4, 2, 5.
    for (long v : new long[] {0, 3, 1, 4, 2, 5}) {
      be.putLong(v << 33);
    }
    be.flip();
    Tensor f = new StoredTensor("f", "test", DType.INT64, new long[] {2, 3}, ByteSource.of(be), ByteOrder.BIG_ENDIAN, true, Lifetime.FOREVER);
    assertArrayEquals(new long[] {0, 1L << 33, 2L << 33, 3L << 33, 4L << 33, 5L << 33}, f.toLongArray());
    Path p = dir.resolve("f.npy");
    NpyWriter.write(p, f);
    assertArrayEquals(f.toLongArray(), Npy.open(p).toLongArray());
  }

  @Test
  void npzRoundTripsAndReadsFromBytes() throws IOException {
    List<Tensor> tensors = List.of(
        Tensors.ofLongs("ids", new long[] {1, 1L << 40}),
        Tensors.ofInts("small", new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE}, 1, 2),
        Tensors.ofFloats("w", new float[] {1.5f, Float.NaN}),
        Tensors.ofDoubles("d", new double[] {0.1}),
        Tensors.ofBooleans("mask", new boolean[] {true}),
        Tensors.ofUnsignedBytes("raw", new byte[] {(byte) 200}),
        Tensors.ofLongs("empty", new long[0], 0, 3));
    Path p = dir.resolve("out.npz");
    NpzWriter.write(p, tensors);
    try (Npz npz = Npz.open(p); Npz mem = Npz.fromBytes("mem", Files.readAllBytes(p))) {
      assertEquals(List.of("ids", "small", "w", "d", "mask", "raw", "empty"), npz.names());
      for (Tensor t : tensors) {
        assertSameBits(t, npz.get(t.name()));
        assertSameBits(t, mem.get(t.name()));
      }
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(p), files.toList(), "no temporary files left behind");
    }
  }

  @Test
  void zip64RecordsAreReadByTheJdkAndByUs() throws IOException {
    Path p = dir.resolve("z64.npz");
    Tensor a = Tensors.ofLongs("a", new long[] {1, -(1L << 40)});
    Tensor b = Tensors.ofFloats("b", new float[] {0.5f});
    try (NpzWriter w = NpzWriter.create(p, 0)) {
      w.add(a).add(b);
    }
    try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(p.toFile())) {
      java.util.zip.ZipEntry e = zip.getEntry("a.npy");
      assertEquals(NpyWriter.length(a), e.getSize());
      try (java.io.InputStream in = zip.getInputStream(e)) {
        byte[] bytes = in.readAllBytes();
        java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
        NpyWriter.write(expected, a);
        assertArrayEquals(expected.toByteArray(), bytes);
      }
    }
    try (Npz npz = Npz.open(p)) {
      assertSameBits(a, npz.get("a"));
      assertSameBits(b, npz.get("b"));
    }
  }

  @Test
  void failedNpzLeavesTheDestinationUntouched() throws IOException {
    Path p = dir.resolve("keep.npz");
    Files.writeString(p, "original");
    Tensor bf = of(DType.BFLOAT16, 1);
    assertThrows(IllegalArgumentException.class,
        () -> NpzWriter.write(p, List.of(Tensors.ofLongs("a", new long[] {1}), bf)));
    assertEquals("original", Files.readString(p));
    assertThrows(IllegalArgumentException.class,
        () -> NpzWriter.write(p, List.of(Tensors.ofLongs("a", new long[] {1}), Tensors.ofInts("a", new int[] {1}))));
    assertEquals("original", Files.readString(p));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(p), files.toList(), "temporary file removed");
    }
  }
}
