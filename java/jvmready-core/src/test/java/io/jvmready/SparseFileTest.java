package io.jvmready;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sparse npy file just over 2 GiB, with an odd data offset so that elements straddle the 1 GiB
 * mapping regions and the 2 GiB mark: values at the end must read back exactly.
 */
class SparseFileTest {
  @TempDir Path dir;

  @Test
  void readsValuesBeyondTwoGibibytes() throws IOException {
    long count = (1L << 31) / 8 + 1024;
    String dict = "{'descr': '<i8', 'fortran_order': False, 'shape': (" + count + ",), }";
    int headerLength = 121; // data offset 131: every element is misaligned by 3 bytes
    StringBuilder sb = new StringBuilder(dict);
    while (sb.length() < headerLength - 1) {
      sb.append(' ');
    }
    sb.append('\n');
    ByteBuffer head = ByteBuffer.allocate(10 + headerLength).order(ByteOrder.LITTLE_ENDIAN);
    head.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
    head.putShort((short) headerLength).put(sb.toString().getBytes(StandardCharsets.US_ASCII));
    long offset = 10 + headerLength;
    Path file = dir.resolve("big.npy");
    long free = Files.getFileStore(dir).getUsableSpace();
    Assumptions.assumeTrue(free > (3L << 30), "needs 3 GiB free for the sparse file's metadata margin");
    long[] indices = {
      0, (ByteSource.DEFAULT_REGION - offset) / 8, (2L * ByteSource.DEFAULT_REGION - offset) / 8,
      ((1L << 31) - offset) / 8, count - 2, count - 1
    };
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.write(head.array());
      raf.setLength(offset + count * 8);
      for (long i : indices) {
        raf.seek(offset + i * 8);
        raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value(i)).array());
      }
    }
    long used = free - Files.getFileStore(dir).getUsableSpace();
    Assumptions.assumeTrue(used < (512L << 20), "file system does not keep sparse files sparse");
    Tensor t = Npy.open(file);
    assertEquals(count, t.size());
    for (long i : indices) {
      assertEquals(value(i), t.getLong(i), "element " + i);
      assertEquals(value(i) * 1.0, t.getDouble(i));
    }
    assertEquals(0, t.getLong(count / 2));
    Files.delete(file);
  }

  private static long value(long i) {
    return (i + 1) * 1_000_003L - (1L << 40); // below 2^53, so getDouble is exact too
  }
}
