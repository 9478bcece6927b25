package io.jvmready;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads across mapped region boundaries must equal reads from one heap buffer. */
class ByteSourceTest {
  @TempDir Path dir;

  @Test
  void everyWidthAtEveryOffsetMatchesAHeapBuffer() throws IOException {
    byte[] data = new byte[523];
    new Random(42).nextBytes(data);
    Path file = dir.resolve("data.bin");
    Files.write(file, data);
    for (int region : new int[] {1, 2, 3, 7, 8, 64, 522, 523, 524, ByteSource.DEFAULT_REGION}) {
      ByteSource src = ByteSource.map(file, region);
      assertEquals(data.length, src.length());
      for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
        ByteBuffer ref = ByteBuffer.wrap(data).order(order);
        for (int p = 0; p < data.length; p++) {
          assertEquals(ref.get(p), src.get(p));
          if (p + 2 <= data.length) {
            assertEquals(ref.getShort(p), src.getShort(p, order), "short at " + p + " region " + region);
          }
          if (p + 4 <= data.length) {
            assertEquals(ref.getInt(p), src.getInt(p, order), "int at " + p + " region " + region);
          }
          if (p + 8 <= data.length) {
            assertEquals(ref.getLong(p), src.getLong(p, order), "long at " + p + " region " + region);
          }
        }
      }
      ByteSource slice = src.slice(5, 500).slice(3, 400);
      assertEquals(ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getLong(8 + 390), slice.getLong(390, ByteOrder.LITTLE_ENDIAN));
      assertArrayEquals(Arrays.copyOfRange(data, 8, 408), slice.bytes(0, 400));
      assertThrows(IndexOutOfBoundsException.class, () -> slice.getLong(393, ByteOrder.LITTLE_ENDIAN));
      assertThrows(IndexOutOfBoundsException.class, () -> src.slice(500, 24));
    }
  }

  @Test
  void tensorsReadIdenticallyWithTinyRegions() throws IOException {
    long[] values = new long[1000];
    Random r = new Random(7);
    for (int i = 0; i < values.length; i++) {
      values[i] = r.nextLong();
    }
    Path file = dir.resolve("v.npy");
    NpyWriter.write(file, Tensors.ofLongs("v", values, 10, 100));
    for (int region : new int[] {3, 5, 13, 1000}) {
      Tensor t = Npy.open(file, region);
      assertEquals("v", t.name());
      assertArrayEquals(values, t.toLongArray());
    }
  }
}
