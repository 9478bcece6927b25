package io.jvmready;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * Writes an uncompressed {@code .npz} archive (what {@code np.savez} writes) of npy 1.0 entries,
 * zip64 where sizes require it. Output goes to a temporary file that {@link #close()} renames into
 * place, so a failed write never leaves a damaged archive at the destination.
 *
 * <pre>{@code
 * NpzWriter.write(Path.of("out.npz"), List.of(Tensors.ofLongs("ids", new long[] {1, 2})));
 * }</pre>
 */
public final class NpzWriter implements AutoCloseable {
  private static final long LIMIT32 = 0xFFFFFFFFL;

  private final long zip64Threshold;
  private final Path path;
  private final Path tmp;
  private final CountingStream out;
  private final List<byte[]> central = new ArrayList<>();
  private final Set<String> names = new HashSet<>();
  private boolean failed;
  private boolean closed;

  private NpzWriter(Path path, long zip64Threshold) throws IOException {
    this.zip64Threshold = zip64Threshold;
    this.path = path;
    this.tmp = Files.createTempFile(path.toAbsolutePath().getParent(), ".jvmready-", ".npz.tmp");
    this.out = new CountingStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16));
  }

  /**
   * Starts an archive at {@code path}; it appears there only when {@link #close()} succeeds.
   *
   * @param path destination
   * @return the writer
   * @throws IOException if the temporary file cannot be created
   */
  public static NpzWriter create(Path path) throws IOException {
    return new NpzWriter(path, LIMIT32);
  }

  /** As {@link #create(Path)}, using zip64 records from {@code zip64Threshold} bytes (tests use 0). */
  static NpzWriter create(Path path, long zip64Threshold) throws IOException {
    return new NpzWriter(path, zip64Threshold);
  }

  /**
   * Writes all {@code tensors} to {@code path}, each as {@code <name>.npy}.
   *
   * @param path destination
   * @param tensors the arrays, in archive order
   * @throws IOException if writing fails (the destination is then untouched)
   */
  public static void write(Path path, Iterable<? extends Tensor> tensors) throws IOException {
    try (NpzWriter w = create(path)) {
      for (Tensor t : tensors) {
        w.add(t);
      }
    }
  }

  /**
   * Appends {@code tensor} as entry {@code <name>.npy}.
   *
   * @param tensor the array; its name must be unique in the archive
   * @return this writer
   * @throws IOException if writing fails; the archive is then abandoned
   */
  public NpzWriter add(Tensor tensor) throws IOException {
    if (closed) {
      throw new IllegalStateException("NpzWriter for " + path + " is closed");
    }
    boolean ok = false;
    try {
      String entry = tensor.name() + ".npy";
      if (!names.add(entry)) {
        throw new IllegalArgumentException("duplicate array name '" + tensor.name() + "' in " + path);
      }
      byte[] name = entry.getBytes(StandardCharsets.UTF_8);
      long size = NpyWriter.length(tensor);
      CRC32 crc = new CRC32();
      // First pass: checksum, so the local header can be written before the data (no descriptor).
      NpyWriter.write(new OutputStream() {
        @Override
        public void write(int b) {
          crc.update(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
          crc.update(b, off, len);
        }
      }, tensor);
      long offset = out.count;
      boolean zip64 = size >= zip64Threshold || offset >= zip64Threshold;
      ByteBuffer local = ByteBuffer.allocate(30 + name.length + (zip64 ? 20 : 0)).order(ByteOrder.LITTLE_ENDIAN);
      local.putInt(0x04034b50).putShort((short) (zip64 ? 45 : 20)).putShort(flags(name));
      local.putShort((short) 0).putShort((short) 0).putShort((short) 0x21); // stored, 1980-01-01
      local.putInt((int) crc.getValue());
      local.putInt((int) (zip64 ? LIMIT32 : size)).putInt((int) (zip64 ? LIMIT32 : size));
      local.putShort((short) name.length).putShort((short) (zip64 ? 20 : 0)).put(name);
      if (zip64) {
        local.putShort((short) 1).putShort((short) 16).putLong(size).putLong(size);
      }
      out.write(local.array());
      long before = out.count;
      NpyWriter.write(out, tensor);
      if (out.count - before != size) {
        throw new IOException("tensor '" + tensor.name() + "' wrote " + (out.count - before) + " bytes, expected " + size);
      }
      boolean bigSize = size >= zip64Threshold;
      boolean bigOffset = offset >= zip64Threshold;
      int extra = (bigSize ? 16 : 0) + (bigOffset ? 8 : 0);
      ByteBuffer cd = ByteBuffer.allocate(46 + name.length + (extra > 0 ? 4 + extra : 0)).order(ByteOrder.LITTLE_ENDIAN);
      cd.putInt(0x02014b50).putShort((short) 45).putShort((short) (zip64 ? 45 : 20)).putShort(flags(name));
      cd.putShort((short) 0).putShort((short) 0).putShort((short) 0x21);
      cd.putInt((int) crc.getValue());
      cd.putInt((int) (bigSize ? LIMIT32 : size)).putInt((int) (bigSize ? LIMIT32 : size));
      cd.putShort((short) name.length).putShort((short) (extra > 0 ? 4 + extra : 0));
      cd.putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(0);
      cd.putInt((int) (bigOffset ? LIMIT32 : offset)).put(name);
      if (extra > 0) {
        cd.putShort((short) 1).putShort((short) extra);
        if (bigSize) {
          cd.putLong(size).putLong(size);
        }
        if (bigOffset) {
          cd.putLong(offset);
        }
      }
      central.add(cd.array());
      ok = true;
      return this;
    } finally {
      if (!ok) {
        failed = true;
      }
    }
  }

  private static short flags(byte[] name) {
    for (byte b : name) {
      if (b < 0) {
        return (short) 0x800; // UTF-8 name
      }
    }
    return 0;
  }

  /**
   * Finishes the archive and renames it into place; if an {@link #add} failed, deletes it instead
   * and leaves the destination untouched.
   *
   * @throws IOException if finishing or renaming fails
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (!failed) {
        finish();
      }
      out.close();
      if (!failed) {
        try {
          Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } finally {
      out.close();
      Files.deleteIfExists(tmp);
    }
  }

  private void finish() throws IOException {
    long cdOffset = out.count;
    for (byte[] cd : central) {
      out.write(cd);
    }
    long cdSize = out.count - cdOffset;
    long count = central.size();
    boolean zip64 = count >= 0xFFFF || cdOffset >= zip64Threshold || cdSize >= zip64Threshold;
    if (zip64) {
      long record = out.count;
      ByteBuffer z = ByteBuffer.allocate(56 + 20).order(ByteOrder.LITTLE_ENDIAN);
      z.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0);
      z.putLong(count).putLong(count).putLong(cdSize).putLong(cdOffset);
      z.putInt(0x07064b50).putInt(0).putLong(record).putInt(1);
      out.write(z.array());
    }
    ByteBuffer e = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN);
    e.putInt(0x06054b50).putShort((short) 0).putShort((short) 0);
    short n = (short) (zip64 ? 0xFFFF : count);
    e.putShort(n).putShort(n);
    e.putInt((int) (zip64 ? LIMIT32 : cdSize)).putInt((int) (zip64 ? LIMIT32 : cdOffset));
    e.putShort((short) 0);
    out.write(e.array());
    out.flush();
  }

  /** Counts bytes written, for zip offsets. */
  private static final class CountingStream extends OutputStream {
    private final OutputStream delegate;
    long count;

    CountingStream(OutputStream delegate) {
      this.delegate = delegate;
    }

    @Override
    public void write(int b) throws IOException {
      delegate.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      delegate.write(b, off, len);
      count += len;
    }

    @Override
    public void flush() throws IOException {
      delegate.flush();
    }

    @Override
    public void close() throws IOException {
      delegate.close();
    }
  }
}
