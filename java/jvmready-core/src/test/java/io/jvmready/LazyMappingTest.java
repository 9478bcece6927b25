package io.jvmready;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regions are mapped on first access: opening a safetensors file reads its header without mapping,
 * a read maps only its region, the file stays open until all regions are mapped or the container is closed, and
 * close releases everything. Observed through {@code /proc/self} where available.
 */
class LazyMappingTest {
  @TempDir Path dir;

  private static final int REGION = 64; // bytes: a 4 KiB file has 64 regions

  private static long[] ramp(int n) {
    long[] v = new long[n];
    for (int i = 0; i < n; i++) {
      v[i] = i * 1_000_003L - (1L << 40);
    }
    return v;
  }

  /** A safetensors file of {@code n} int64 values whose data starts at the odd offset 8 + 83. */
  private Path ids(String file, long[] values) throws IOException {
    byte[] data = RawFiles.bytes(values, 8, ByteOrder.LITTLE_ENDIAN);
    return RawFiles.safetensors(dir.resolve(file), 83, "ids", DType.INT64, new long[] {values.length}, data);
  }

  @Test
  void sparseFileBeyondTwoGibibytesMapsOnlyTheRegionsRead() throws IOException {
    long floats = (5L << 29) / 4; // 2.5 GiB of float32 left as a hole, then int64 ids at the end
    long[] tail = {7, -8, 1L << 40, Long.MIN_VALUE};
    String json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[" + floats + "],\"data_offsets\":[0," + floats * 4
        + "]},\"ids\":{\"dtype\":\"I64\",\"shape\":[" + tail.length + "],\"data_offsets\":[" + floats * 4
        + "," + (floats * 4 + tail.length * 8) + "]}}";
    byte[] header = json.getBytes(StandardCharsets.US_ASCII);
    Path file = dir.resolve("big.safetensors");
    long free = Files.getFileStore(dir).getUsableSpace();
    Assumptions.assumeTrue(free > (3L << 30), "needs 3 GiB free for the sparse file's metadata margin");
    long dataStart = 8 + header.length;
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
      raf.write(header);
      raf.seek(dataStart + 4);
      raf.write(new byte[] {0, 0, (byte) 0xC0, 0x3F}); // w[1] = 1.5f, little-endian
      raf.setLength(dataStart + floats * 4);
      raf.seek(dataStart + floats * 4);
      raf.write(RawFiles.bytes(tail, 8, ByteOrder.LITTLE_ENDIAN));
    }
    long used = free - Files.getFileStore(dir).getUsableSpace();
    Assumptions.assumeTrue(used < (512L << 20), "file system does not keep sparse files sparse");
    boolean proc = RawFiles.procAvailable();
    SafeTensors st = SafeTensors.open(file);
    if (proc) {
      assertEquals(0, RawFiles.mappings(file), "the header is read, not mapped");
      assertEquals(1, RawFiles.openDescriptors(file), "the file stays open for the regions");
    }
    Tensor ids = st.get("ids");
    assertArrayEquals(tail, ids.toLongArray());
    assertEquals(Long.MIN_VALUE, ids.getLong(3));
    if (proc) {
      assertEquals(1, RawFiles.mappings(file), "the last region, and nothing else");
    }
    Tensor w = st.get("w");
    assertEquals(1.5, w.getDouble(1));
    if (proc) {
      assertEquals(2, RawFiles.mappings(file), "the first region too now");
      assertEquals(1, RawFiles.openDescriptors(file));
    }
    assertEquals(0.0, w.getDouble(floats / 2)); // the middle region, a hole
    assertEquals(0.0, w.getDouble(floats - 1));
    if (proc) {
      assertEquals(3, RawFiles.mappings(file));
      assertEquals(0, RawFiles.openDescriptors(file), "every region mapped: the channel is closed");
    }
    st.close();
    st.close(); // idempotent
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> ids.getLong(0));
    assertTrue(e.getMessage().startsWith(file + ": closed"), e.getMessage());
    Files.delete(file);
  }

  @Test
  void closeReleasesTheFileAndRefusesReadsOfUnmappedRegions() throws IOException {
    long[] values = ramp(500); // 4 KiB of data: 64 regions of 64 bytes
    Path file = ids("v.safetensors", values);
    SafeTensors st = SafeTensors.open(file, REGION);
    Tensor t = st.get("ids");
    assertEquals(values[499], t.getLong(499));
    boolean proc = RawFiles.procAvailable();
    if (proc) {
      assertEquals(1, RawFiles.openDescriptors(file));
    }
    st.close();
    if (proc) {
      assertEquals(0, RawFiles.openDescriptors(file), "close closes the channel");
    }
    st.close();
    assertThrows(IllegalStateException.class, () -> t.getLong(250));
    assertThrows(IllegalStateException.class, t::toLongArray);
    assertThrows(IllegalStateException.class, () -> st.get("ids"));
  }

  @Test
  void regionsMappedOnlyOnceUnderConcurrentFirstAccess() throws Exception {
    long[] values = ramp(4000);
    Path file = ids("c.safetensors", values);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int round = 0; round < 5; round++) {
        try (SafeTensors st = SafeTensors.open(file, REGION + round)) {
          Tensor t = st.get("ids");
          List<Callable<long[]>> readers = new ArrayList<>();
          for (int r = 0; r < 8; r++) {
            readers.add(t::toLongArray);
          }
          for (Future<long[]> f : pool.invokeAll(readers)) {
            assertArrayEquals(values, f.get());
          }
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void removedFileStillReadsThroughTheOpenChannel() throws IOException {
    long[] values = ramp(500);
    Path file = ids("gone.safetensors", values);
    try (SafeTensors st = SafeTensors.open(file, REGION)) {
      Files.delete(file);
      assertArrayEquals(values, st.get("ids").toLongArray());
    }
  }

  @Test
  void truncatedFileIsRefusedNamingTheFile() throws IOException {
    long[] values = ramp(500);
    Path file = ids("short.safetensors", values);
    try (SafeTensors st = SafeTensors.open(file, REGION)) {
      try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
        raf.setLength(2000); // regions past byte 2000 are not mapped yet
      }
      Tensor t = st.get("ids");
      UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> t.getLong(499));
      TensorFileException cause = assertInstanceOf(TensorFileException.class, e.getCause());
      assertEquals(file.toString(), cause.source());
      assertTrue(cause.problem().contains("truncated while in use"), cause.problem());
      assertTrue(cause.problem().startsWith("file is now 2000 bytes, 4091 when opened"), cause.problem());
      assertThrows(UncheckedIOException.class, t::toIntArrayExact);
    }
  }

  @Test
  void copiesReadUnmappedRegionsFromTheFileWithoutMappingThem() throws IOException {
    byte[] data = new byte[5000];
    new Random(5).nextBytes(data);
    Path file = Files.write(dir.resolve("raw.bin"), data);
    ByteSource src = ByteSource.map(file, REGION);
    assertArrayEquals(data, src.bytes(0, data.length));
    assertArrayEquals(Arrays.copyOfRange(data, 130, 4130), src.slice(100, 4500).bytes(30, 4000));
    boolean proc = RawFiles.procAvailable();
    if (proc) {
      assertEquals(0, RawFiles.mappings(file));
    }
    assertEquals(ByteBuffer.wrap(data, 4000, 8).order(ByteOrder.LITTLE_ENDIAN).getLong(),
        src.getLong(4000, ByteOrder.LITTLE_ENDIAN));
    assertArrayEquals(Arrays.copyOfRange(data, 3990, 4100), src.bytes(3990, 110)); // mapped or not
    if (proc) {
      assertEquals(1, RawFiles.mappings(file));
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(1000);
    }
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> src.bytes(900, 200));
    assertEquals(
        file + ": file is now 1000 bytes, 5000 when opened: truncated while in use, bytes [960, 1024) are gone",
        e.getCause().getMessage());
    src.close();
    src.close();
    assertThrows(IllegalStateException.class, () -> src.bytes(0, 8));
  }

  @Test
  void invalidHeaderClosesTheFile() throws IOException {
    Assumptions.assumeTrue(RawFiles.procAvailable(), "needs /proc/self/fd");
    Path file = ids("bad.safetensors", ramp(500));
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(8);
      raf.write('[');
    }
    assertThrows(TensorFileException.class, () -> SafeTensors.open(file, REGION));
    assertThrows(TensorFileException.class, () -> Npz.open(file, REGION, 1 << 20));
    assertThrows(TensorFileException.class, () -> Npy.open(file, REGION));
    assertEquals(0, RawFiles.openDescriptors(file));
  }

  @Test
  void interruptClosesTheChannelAndAReadReopensIt() throws Exception {
    long[] values = ramp(500);
    Path file = ids("int.safetensors", values);
    try (SafeTensors st = SafeTensors.open(file, REGION)) {
      Tensor t = st.get("ids");
      Thread.currentThread().interrupt();
      try {
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> t.getLong(300));
        assertTrue(e.getCause().getMessage().startsWith(file + ": thread interrupted while mapping"),
            e.getCause().getMessage());
      } finally {
        assertTrue(Thread.interrupted());
      }
      assertArrayEquals(values, t.toLongArray()); // the same file, opened again
    }
  }

  @Test
  void loneNpyAndNpzReadAcrossLazyRegions() throws IOException {
    long[] values = ramp(1000);
    Path npy = dir.resolve("v.npy");
    NpyWriter.write(npy, Tensors.ofLongs("v", values, 10, 100));
    boolean proc = RawFiles.procAvailable();
    Tensor one = Npy.open(npy);
    if (proc) {
      assertEquals(0, RawFiles.openDescriptors(npy), "one region, mapped for the header: closed");
    }
    Tensor lone = Npy.open(npy, 200); // the 128-byte header and the first data share region 0
    if (proc) {
      assertEquals(1, RawFiles.openDescriptors(npy), "no close() for a lone npy: open until mapped");
    }
    assertArrayEquals(values, lone.toLongArray());
    if (proc) {
      assertEquals(0, RawFiles.openDescriptors(npy), "every region mapped: closed");
    }
    assertArrayEquals(values, one.toLongArray());
    Path npz = dir.resolve("v.npz");
    NpzWriter.write(npz, List.of(Tensors.ofLongs("v", values), Tensors.ofInts("w", new int[] {1, 2})));
    Npz archive = Npz.open(npz, REGION, 1 << 20);
    assertArrayEquals(values, archive.get("v").toLongArray());
    archive.close();
    archive.close();
    if (proc) {
      assertEquals(0, RawFiles.openDescriptors(npz));
    }
    assertThrows(IllegalStateException.class, () -> archive.get("w"));
  }
}
