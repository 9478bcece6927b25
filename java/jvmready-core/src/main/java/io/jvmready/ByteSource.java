package io.jvmready;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Read-only bytes addressed by {@code long} offsets: a memory-mapped file split into regions of at
 * most {@link #DEFAULT_REGION} bytes, or a single in-memory buffer. Each mapped region overlaps the
 * next by {@link #OVERLAP} bytes, so any element of up to 8 bytes lies wholly inside one region
 * whatever its alignment; reads never straddle a boundary and offsets are never {@code int}.
 */
final class ByteSource {
  /** Region size for mapped files: 1 GiB, well below the 2 GiB limit of one mapping. */
  static final int DEFAULT_REGION = 1 << 30;

  /** Bytes each region extends into the next one. */
  static final int OVERLAP = 8;

  private final ByteBuffer[] little;
  private final ByteBuffer[] big;
  private final long regionSize;
  private final long base;
  private final long length;

  private ByteSource(ByteBuffer[] regions, long regionSize, long base, long length) {
    this.little = new ByteBuffer[regions.length];
    this.big = new ByteBuffer[regions.length];
    for (int i = 0; i < regions.length; i++) {
      little[i] = regions[i].duplicate().order(ByteOrder.LITTLE_ENDIAN);
      big[i] = regions[i].duplicate().order(ByteOrder.BIG_ENDIAN);
    }
    this.regionSize = regionSize;
    this.base = base;
    this.length = length;
  }

  private ByteSource(ByteSource parent, long base, long length) {
    this.little = parent.little;
    this.big = parent.big;
    this.regionSize = parent.regionSize;
    this.base = base;
    this.length = length;
  }

  /** Maps a whole file read-only; the mapping outlives the channel, which is closed at once. */
  static ByteSource map(Path path, int regionSize) throws IOException {
    if (regionSize < 1) {
      throw new IllegalArgumentException("region size must be positive: " + regionSize);
    }
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = channel.size();
      long count = (size + regionSize - 1) / regionSize;
      if (count > Integer.MAX_VALUE) {
        throw new TensorFileException(path, "file of " + size + " bytes needs too many regions");
      }
      ByteBuffer[] regions = new ByteBuffer[(int) count];
      for (int i = 0; i < regions.length; i++) {
        long start = (long) i * regionSize;
        long extent = Math.min((long) regionSize + OVERLAP, size - start);
        regions[i] = channel.map(FileChannel.MapMode.READ_ONLY, start, extent);
      }
      return new ByteSource(regions, regionSize, 0, size);
    }
  }

  /** Wraps the remaining bytes of a buffer, without copying. */
  static ByteSource of(ByteBuffer buffer) {
    ByteBuffer slice = buffer.slice();
    return new ByteSource(new ByteBuffer[] {slice}, Long.MAX_VALUE, 0, slice.remaining());
  }

  /** Number of bytes. */
  long length() {
    return length;
  }

  /** The bytes {@code [offset, offset + count)} as a view sharing this source's memory. */
  ByteSource slice(long offset, long count) {
    if (offset < 0 || count < 0 || offset > length - count) {
      throw new IndexOutOfBoundsException(
          "slice [" + offset + ", +" + count + ") outside " + length + " bytes");
    }
    return new ByteSource(this, base + offset, count);
  }

  private ByteBuffer region(ByteBuffer[] regions, long pos, int width) {
    if (pos < 0 || pos > length - width) {
      throw new IndexOutOfBoundsException("read of " + width + " bytes at " + pos + " outside " + length);
    }
    return regions[(int) ((base + pos) / regionSize)];
  }

  private int offsetIn(long pos) {
    return (int) ((base + pos) % regionSize);
  }

  /** The byte at {@code pos}. */
  byte get(long pos) {
    return region(little, pos, 1).get(offsetIn(pos));
  }

  /** The 16-bit value at {@code pos} in the given byte order. */
  short getShort(long pos, ByteOrder order) {
    return region(order == ByteOrder.LITTLE_ENDIAN ? little : big, pos, 2).getShort(offsetIn(pos));
  }

  /** The 32-bit value at {@code pos} in the given byte order. */
  int getInt(long pos, ByteOrder order) {
    return region(order == ByteOrder.LITTLE_ENDIAN ? little : big, pos, 4).getInt(offsetIn(pos));
  }

  /** The 64-bit value at {@code pos} in the given byte order. */
  long getLong(long pos, ByteOrder order) {
    return region(order == ByteOrder.LITTLE_ENDIAN ? little : big, pos, 8).getLong(offsetIn(pos));
  }

  /** Copies {@code count} bytes starting at {@code pos} into {@code dst[off...]}. */
  void copy(long pos, byte[] dst, int off, int count) {
    if (pos < 0 || count < 0 || pos > length - count) {
      throw new IndexOutOfBoundsException("copy of " + count + " bytes at " + pos + " outside " + length);
    }
    int done = 0;
    while (done < count) {
      long at = pos + done;
      ByteBuffer r = little[(int) ((base + at) / regionSize)];
      int inRegion = offsetIn(at);
      int n = (int) Math.min(count - done, Math.min(regionSize, r.limit()) - inRegion);
      r.get(inRegion, dst, off + done, n);
      done += n;
    }
  }

  /** A fresh array holding {@code count} bytes starting at {@code pos}. */
  byte[] bytes(long pos, int count) {
    byte[] out = new byte[count];
    copy(pos, out, 0, count);
    return out;
  }
}
