package io.jvmready;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Read-only bytes addressed by {@code long} offsets: a memory-mapped file split into regions of at
 * most {@link #DEFAULT_REGION} bytes, or a single in-memory buffer. Each mapped region overlaps the
 * next by {@link #OVERLAP} bytes, so any element of up to 8 bytes lies wholly inside one region
 * whatever its alignment; reads never straddle a boundary and offsets are never {@code int}.
 *
 * <p>Regions are mapped on first access (thread-safe; reads of a mapped region take no lock), so
 * opening a file costs the same whatever its size. Bytes copied out of a region not mapped yet
 * (headers, checksums) are read from the file without mapping it. The file stays open until every
 * region is mapped, {@link #close()} is called, or the source becomes unreachable, whichever comes
 * first. A file of one region (up to 1 GiB) has nothing to defer: it is mapped and closed at once.
 */
final class ByteSource {
  /** Region size for mapped files: 1 GiB, well below the 2 GiB limit of one mapping. */
  static final int DEFAULT_REGION = 1 << 30;

  /** Bytes each region extends into the next one. */
  static final int OVERLAP = 8;

  /** Closes channels of sources dropped without {@link #close()} (lone npy files). */
  private static final Cleaner CLEANER = Cleaner.create();

  private final Regions regions;
  private final long base;
  private final long length;

  private ByteSource(Regions regions, long base, long length) {
    this.regions = regions;
    this.base = base;
    this.length = length;
  }

  /** Maps a file read-only, region by region on first access; errors name the path. */
  static ByteSource map(Path path, int regionSize) throws IOException {
    return map(path, regionSize, path.toString());
  }

  /** As {@link #map(Path, int)}, naming the file {@code label} in errors. */
  static ByteSource map(Path path, int regionSize, String label) throws IOException {
    if (regionSize < 1 || regionSize > Integer.MAX_VALUE - 2 * OVERLAP) {
      throw new IllegalArgumentException("region size " + regionSize + " is not in [1, 2 GiB - 16]");
    }
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      long size = channel.size();
      long count = (size + regionSize - 1) / regionSize;
      if (count > Integer.MAX_VALUE) {
        throw new TensorFileException(label, "file of " + size + " bytes needs too many regions");
      }
      Regions regions = new Regions(label, path, channel, regionSize, size, (int) count);
      return new ByteSource(regions, 0, size);
    } catch (UncheckedIOException e) {
      channel.close();
      throw e.getCause();
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** Wraps the remaining bytes of a buffer, without copying. */
  static ByteSource of(ByteBuffer buffer) {
    ByteBuffer slice = buffer.slice();
    return new ByteSource(new Regions(slice), 0, slice.remaining());
  }

  /**
   * Releases the file: closes the channel and drops every mapping (unmapped once unreferenced);
   * later reads through this source or any slice of it throw {@link IllegalStateException}.
   * Idempotent; shared with all slices.
   */
  void close() {
    regions.close();
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
    return new ByteSource(regions, base + offset, count);
  }

  private Region region(long pos, int width) {
    if (pos < 0 || pos > length - width) {
      throw new IndexOutOfBoundsException("read of " + width + " bytes at " + pos + " outside " + length);
    }
    return regions.get((int) ((base + pos) / regions.size));
  }

  private int offsetIn(long pos) {
    return (int) ((base + pos) % regions.size);
  }

  /** The byte at {@code pos}. */
  byte get(long pos) {
    return region(pos, 1).little.get(offsetIn(pos));
  }

  /** The 16-bit value at {@code pos} in the given byte order. */
  short getShort(long pos, ByteOrder order) {
    return region(pos, 2).in(order).getShort(offsetIn(pos));
  }

  /** The 32-bit value at {@code pos} in the given byte order. */
  int getInt(long pos, ByteOrder order) {
    return region(pos, 4).in(order).getInt(offsetIn(pos));
  }

  /** The 64-bit value at {@code pos} in the given byte order. */
  long getLong(long pos, ByteOrder order) {
    return region(pos, 8).in(order).getLong(offsetIn(pos));
  }

  /**
   * Copies {@code count} bytes starting at {@code pos} into {@code dst[off...]}. Bytes of regions
   * not mapped yet are read from the file instead (headers, checksums): a one-off read does not
   * map a region.
   */
  void copy(long pos, byte[] dst, int off, int count) {
    if (pos < 0 || count < 0 || pos > length - count) {
      throw new IndexOutOfBoundsException("copy of " + count + " bytes at " + pos + " outside " + length);
    }
    int done = 0;
    while (done < count) {
      long at = base + pos + done;
      int inRegion = (int) (at % regions.size);
      int n = (int) Math.min(count - done, regions.size - inRegion);
      regions.copy((int) (at / regions.size), inRegion, dst, off + done, n);
      done += n;
    }
  }

  /** A fresh array holding {@code count} bytes starting at {@code pos}. */
  byte[] bytes(long pos, int count) {
    byte[] out = new byte[count];
    copy(pos, out, 0, count);
    return out;
  }

  /** Receives consecutive runs of whole elements. */
  interface Run {
    /**
     * One run.
     *
     * @param bytes exactly {@code count} elements, position 0, in the requested byte order
     * @param first index of the run's first element among all those visited
     * @param count number of elements in the run
     */
    void accept(ByteBuffer bytes, int first, int count);
  }

  /**
   * Visits {@code count} elements of {@code width} bytes (at most {@link #OVERLAP}) starting at
   * {@code pos}, in order, as few buffers as possible: one per region the elements start in. Each
   * buffer is a view of the mapping (no copy), ready for {@code asLongBuffer()} and friends.
   */
  void forEachRun(long pos, int count, int width, ByteOrder order, Run run) {
    if (width < 1 || width > OVERLAP) {
      throw new IllegalArgumentException("element width " + width + " not in [1, " + OVERLAP + "]");
    }
    if (pos < 0 || count < 0 || pos > length - (long) count * width) {
      throw new IndexOutOfBoundsException(
          "run of " + count + " elements of " + width + " bytes at " + pos + " outside " + length);
    }
    int done = 0;
    while (done < count) {
      long at = base + pos + (long) done * width;
      ByteBuffer r = regions.get((int) (at / regions.size)).little;
      int inRegion = (int) (at % regions.size);
      long room = regions.size - inRegion; // elements starting in this region lie wholly inside it
      long starts = room / width + (room % width == 0 ? 0 : 1);
      int n = (int) Math.min(count - done, starts);
      run.accept(r.slice(inRegion, n * width).order(order), done, n);
      done += n;
    }
  }

  /** A mapped region in both byte orders, so reads never change a shared buffer's order. */
  private static final class Region {
    final ByteBuffer little;
    final ByteBuffer big;

    Region(ByteBuffer bytes) {
      this.little = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
      this.big = bytes.duplicate().order(ByteOrder.BIG_ENDIAN);
    }

    ByteBuffer in(ByteOrder order) {
      return order == ByteOrder.LITTLE_ENDIAN ? little : big;
    }
  }

  /**
   * The open channel of a mapped file; holds no reference to its {@link Regions}, so the Cleaner
   * can close it once they become unreachable.
   */
  private static final class Handle implements Runnable {
    private volatile FileChannel channel;

    Handle(FileChannel channel) {
      this.channel = channel;
    }

    @Override
    public void run() {
      FileChannel c = channel;
      channel = null;
      if (c != null) {
        try {
          c.close();
        } catch (IOException ignored) {
          // read-only channel: nothing was written that a failed close could lose
        }
      }
    }
  }

  /**
   * The regions of one file (or the one region of a buffer), shared by a source and its slices.
   * A region is mapped under the lock on first access and published through the atomic array, so
   * reads of mapped regions take no lock.
   */
  private static final class Regions {
    final String label;
    final long size;
    private final Path path;
    private final Object fileKey;
    private final long fileLength;
    private final AtomicReferenceArray<Region> mapped;
    private final Handle handle;
    private final Cleaner.Cleanable closer;
    private int unmapped;
    private boolean closed;

    Regions(String label, Path path, FileChannel channel, long size, long fileLength, int count)
        throws IOException {
      this.label = label;
      this.size = size;
      this.path = path;
      // Identifies the file should an interrupt close the channel while regions remain unmapped.
      this.fileKey = count > 1 ? Files.readAttributes(path, BasicFileAttributes.class).fileKey() : null;
      this.fileLength = fileLength;
      this.mapped = new AtomicReferenceArray<>(count);
      this.handle = new Handle(channel);
      this.unmapped = count;
      this.closer = CLEANER.register(this, handle);
      if (count == 0) {
        closer.clean();
      } else if (count == 1) {
        map(0); // nothing to defer: map the only region now, and close the file
      }
    }

    Regions(ByteBuffer buffer) {
      this.label = "memory";
      this.size = Long.MAX_VALUE;
      this.path = null;
      this.fileKey = null;
      this.fileLength = buffer.remaining();
      this.mapped = new AtomicReferenceArray<>(1);
      this.mapped.set(0, new Region(buffer));
      this.handle = null;
      this.closer = null;
    }

    Region get(int index) {
      Region r = mapped.get(index);
      return r != null ? r : map(index);
    }

    private synchronized Region map(int index) {
      if (closed) {
        throw closedError();
      }
      Region r = mapped.get(index);
      if (r != null) {
        return r;
      }
      long start = index * size;
      long extent = Math.min(size + OVERLAP, fileLength - start);
      String bytes = "bytes [" + start + ", " + (start + extent) + ")";
      try {
        FileChannel channel = channel();
        long now = channel.size();
        if (now < start + extent) {
          throw truncated(now, bytes);
        }
        r = new Region(channel.map(FileChannel.MapMode.READ_ONLY, start, extent));
      } catch (IOException e) {
        throw failure("mapping " + bytes, e);
      }
      mapped.set(index, r);
      if (--unmapped == 0) {
        closer.clean(); // every region mapped: the mappings outlive the channel
      }
      return r;
    }

    /** Copies {@code n} bytes at {@code inRegion} of region {@code index}, mapped or not. */
    void copy(int index, int inRegion, byte[] dst, int off, int n) {
      Region r = mapped.get(index);
      if (r != null) {
        r.little.get(inRegion, dst, off, n);
      } else {
        read(index, inRegion, dst, off, n);
      }
    }

    private synchronized void read(int index, int inRegion, byte[] dst, int off, int n) {
      if (closed) {
        throw closedError();
      }
      Region r = mapped.get(index);
      if (r != null) { // mapped meanwhile, perhaps the last region: the channel may be closed
        r.little.get(inRegion, dst, off, n);
        return;
      }
      long start = index * size + inRegion;
      String bytes = "bytes [" + start + ", " + (start + n) + ")";
      ByteBuffer into = ByteBuffer.wrap(dst, off, n);
      try {
        FileChannel channel = channel();
        while (into.hasRemaining()) {
          if (channel.read(into, start + into.position() - off) < 0) {
            throw truncated(channel.size(), bytes);
          }
        }
      } catch (IOException e) {
        throw failure("reading " + bytes, e);
      }
    }

    private IllegalStateException closedError() {
      return new IllegalStateException(label + ": closed; its data can no longer be read");
    }

    private TensorFileException truncated(long now, String bytes) {
      return new TensorFileException(
          label, "file is now " + now + " bytes, " + fileLength + " when opened: truncated while in use, "
              + bytes + " are gone");
    }

    private UncheckedIOException failure(String what, IOException e) {
      if (e instanceof TensorFileException) {
        return new UncheckedIOException(e);
      }
      if (e instanceof ClosedByInterruptException) {
        return new UncheckedIOException(
            new TensorFileException(label, "thread interrupted while " + what, e));
      }
      return new UncheckedIOException(new TensorFileException(label, what + " failed: " + e, e));
    }

    /**
     * The open channel. An interrupt during a channel operation closes it (FileChannel is
     * interruptible); then the file is opened again, if it is still the same file.
     */
    private FileChannel channel() throws IOException {
      FileChannel c = handle.channel;
      if (c != null && c.isOpen()) {
        return c;
      }
      FileChannel again;
      try {
        again = FileChannel.open(path, StandardOpenOption.READ);
      } catch (NoSuchFileException e) {
        throw new TensorFileException(
            label, "removed while in use, and its channel was closed by a thread interrupt", e);
      }
      Object key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
      if (key == null || !key.equals(fileKey)) {
        again.close();
        throw new TensorFileException(
            label, "replaced while in use, and its channel was closed by a thread interrupt");
      }
      handle.channel = again;
      return again;
    }

    synchronized void close() {
      if (handle == null || closed) {
        return;
      }
      closed = true;
      closer.clean();
      for (int i = 0; i < mapped.length(); i++) {
        mapped.set(i, null);
      }
    }
  }
}
