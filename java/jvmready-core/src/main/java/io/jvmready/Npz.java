package io.jvmready;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads {@code .npz} archives written by {@code np.savez} (stored entries, memory-mapped in place)
 * and {@code np.savez_compressed} (deflated entries). Every entry's npy header is validated when the
 * archive is opened. On first access to an entry its CRC-32 is checked (as Python's zipfile does);
 * a deflated entry is inflated then, into memory up to a bound and into a temporary file beyond
 * it, never past the size its header and the directory agree on.
 *
 * <pre>{@code
 * try (Npz npz = Npz.open(Path.of("batch.npz"))) {
 *   long[] ids = npz.get("ids").toLongArray();
 * }
 * }</pre>
 */
public final class Npz implements AutoCloseable {
  /** Deflated entries up to this size are inflated into the heap, larger ones into a temp file. */
  static final long DEFAULT_IN_MEMORY_LIMIT = 256L << 20;

  /** Deflate cannot expand data by more than about 1032:1; a larger claim is a lie. */
  private static final long MAX_DEFLATE_RATIO = 1032;

  private final String source;
  private final ByteSource archive;
  private final Lifetime lifetime;
  private final long inMemoryLimit;
  private final Map<String, Member> members = new LinkedHashMap<>();
  private final List<Path> tempFiles = new ArrayList<>();
  private final List<ByteSource> inflatedFiles = new ArrayList<>();

  /** One entry: its directory record and, once read, its tensor. */
  private static final class Member {
    final ZipDirectory.Entry entry;
    final String label;
    StoredTensor tensor;
    boolean verified;

    Member(ZipDirectory.Entry entry, String label) {
      this.entry = entry;
      this.label = label;
    }
  }

  private Npz(String source, ByteSource archive, long inMemoryLimit) throws TensorFileException {
    this.source = source;
    this.archive = archive;
    this.lifetime = new Lifetime(source);
    this.inMemoryLimit = inMemoryLimit;
    for (ZipDirectory.Entry e : ZipDirectory.read(archive, source)) {
      if (!e.name.endsWith(".npy") || e.name.length() == 4) {
        throw new TensorFileException(source, "entry '" + e.name + "' is not an .npy array");
      }
      String name = e.name.substring(0, e.name.length() - 4);
      Member m = new Member(e, source + "[" + e.name + "]");
      if (e.method == ZipDirectory.STORED) {
        m.tensor = Npy.read(archive.slice(e.dataOffset, e.size), m.label, name, lifetime);
      } else {
        checkDeflatedHeader(m);
      }
      members.put(name, m);
    }
  }

  /**
   * Opens an npz file, memory-mapped.
   *
   * @param path the file
   * @return the archive; close it to release temporary files
   * @throws TensorFileException if the archive or any entry's npy header is invalid
   * @throws IOException if the file cannot be read
   */
  public static Npz open(Path path) throws IOException {
    return open(path, ByteSource.DEFAULT_REGION, DEFAULT_IN_MEMORY_LIMIT);
  }

  /** As {@link #open(Path)} with chosen region size and in-memory inflation limit (for tests). */
  static Npz open(Path path, int regionSize, long inMemoryLimit) throws IOException {
    ByteSource archive = ByteSource.map(path, regionSize);
    try {
      return new Npz(path.toString(), archive, inMemoryLimit);
    } catch (IOException | RuntimeException e) {
      archive.close();
      throw e;
    }
  }

  /**
   * Reads an npz archive held in memory, e.g. samples embedded in model metadata. The bytes are
   * copied, so the caller may reuse the array.
   *
   * @param label names the source in error messages
   * @param data the archive bytes
   * @return the archive
   * @throws TensorFileException if the archive or an entry is invalid
   */
  public static Npz fromBytes(String label, byte[] data) throws TensorFileException {
    return new Npz(label, ByteSource.of(ByteBuffer.wrap(data.clone())), DEFAULT_IN_MEMORY_LIMIT);
  }

  /**
   * Array names in archive order.
   *
   * @return the names, without the {@code .npy} suffix
   */
  public List<String> names() {
    return Collections.unmodifiableList(new ArrayList<>(members.keySet()));
  }

  /**
   * Whether the archive holds an array of this name.
   *
   * @param name array name without {@code .npy}
   * @return true if {@link #get} will find it
   */
  public boolean contains(String name) {
    return members.containsKey(name);
  }

  /**
   * The array called {@code name}. A deflated entry is inflated on first access.
   *
   * @param name array name without {@code .npy}
   * @return the tensor
   * @throws NoSuchElementException if there is no such array (the message lists the names)
   * @throws UncheckedIOException wrapping a {@link TensorFileException} if a deflated entry is corrupt
   */
  public synchronized Tensor get(String name) {
    lifetime.check(name);
    Member m = members.get(name);
    if (m == null) {
      throw new NoSuchElementException(source + ": no array '" + name + "'; it has " + members.keySet());
    }
    try {
      if (m.tensor == null) {
        m.tensor = inflate(m, name);
      } else if (!m.verified) {
        verifyStored(m);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    m.verified = true;
    return m.tensor;
  }

  /**
   * All arrays in archive order (deflated ones are inflated).
   *
   * @return the tensors
   */
  public List<Tensor> tensors() {
    List<Tensor> out = new ArrayList<>();
    for (String name : members.keySet()) {
      out.add(get(name));
    }
    return Collections.unmodifiableList(out);
  }

  /** Temporary files holding inflated entries (deleted by {@link #close()}); for tests. */
  synchronized List<Path> temporaryFiles() {
    return new ArrayList<>(tempFiles);
  }

  /**
   * The file path or label this archive was read from.
   *
   * @return the source named in error messages
   */
  public String source() {
    return source;
  }

  /**
   * Ends access to the archive's tensors, releases the file (channel closed, mappings dropped) and
   * deletes temporary files of inflated entries. Idempotent.
   *
   * @throws IOException if a temporary file cannot be deleted
   */
  @Override
  public synchronized void close() throws IOException {
    lifetime.close();
    archive.close();
    for (ByteSource s : inflatedFiles) {
      s.close();
    }
    inflatedFiles.clear();
    IOException failure = null;
    for (Path p : tempFiles) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        failure = e;
      }
    }
    tempFiles.clear();
    if (failure != null) {
      throw failure;
    }
  }

  private void checkDeflatedHeader(Member m) throws TensorFileException {
    ZipDirectory.Entry e = m.entry;
    if (e.size > e.compressedSize * MAX_DEFLATE_RATIO + 1024) {
      throw new TensorFileException(
          m.label,
          "declared uncompressed size " + e.size + " is impossible for " + e.compressedSize
              + " deflated bytes");
    }
    // The npy preamble, then the whole header: both small and bounded by NpyHeader's limits.
    byte[] pre = inflatePrefix(m, (int) Math.min(e.size, 12));
    long want = e.size;
    if (pre.length >= 10 && pre[6] == 1) {
      want = Math.min(e.size, 10 + ((pre[8] & 0xFFL) | (pre[9] & 0xFFL) << 8));
    } else if (pre.length >= 12 && (pre[6] == 2 || pre[6] == 3)) {
      long hl = ByteSource.of(ByteBuffer.wrap(pre)).getInt(8, ByteOrder.LITTLE_ENDIAN) & 0xFFFFFFFFL;
      want = Math.min(e.size, 12 + Math.min(hl, NpyHeader.MAX_HEADER_BYTES + 1L));
    } else {
      want = pre.length;
    }
    byte[] header = inflatePrefix(m, (int) want);
    NpyHeader.read(ByteSource.of(ByteBuffer.wrap(header)), e.size, m.label);
  }

  /** Inflates the first {@code count} bytes of a deflated entry (fewer if the stream ends). */
  private byte[] inflatePrefix(Member m, int count) throws TensorFileException {
    byte[] out = new byte[count];
    int[] filled = {0};
    inflateTo(m, (buf, off, len) -> {
      System.arraycopy(buf, off, out, filled[0], len);
      filled[0] += len;
    }, count);
    return filled[0] == count ? out : Arrays.copyOf(out, filled[0]);
  }

  /** Receives inflated bytes. */
  private interface Sink {
    void accept(byte[] buf, int off, int len) throws IOException;
  }

  /**
   * Streams the inflated entry to {@code sink}, refusing more output than the declared size. With
   * {@code prefix >= 0}, stops after that many bytes; otherwise requires exactly the declared size
   * and a matching CRC-32.
   */
  private void inflateTo(Member m, Sink sink, long prefix) throws TensorFileException {
    boolean verify = prefix < 0;
    ZipDirectory.Entry e = m.entry;
    Inflater inflater = new Inflater(true);
    CRC32 crc = new CRC32();
    byte[] in = new byte[64 * 1024];
    byte[] out = new byte[64 * 1024];
    long consumed = 0;
    long produced = 0;
    boolean dummyFed = false;
    try {
      while (!inflater.finished() && (verify || produced < prefix)) {
        if (inflater.needsInput()) {
          if (consumed < e.compressedSize) {
            int n = (int) Math.min(in.length, e.compressedSize - consumed);
            archive.copy(e.dataOffset + consumed, in, 0, n);
            consumed += n;
            inflater.setInput(in, 0, n);
          } else if (!dummyFed) {
            inflater.setInput(new byte[1], 0, 1); // zlib's nowrap mode may want one extra byte
            dummyFed = true;
          } else {
            throw new TensorFileException(m.label, "deflated data ends early (entry truncated)");
          }
        }
        // Ask for at most one byte beyond what is allowed, so a lying size is caught at once.
        long allowed = (verify ? e.size : prefix) - produced + 1;
        int n = inflater.inflate(out, 0, (int) Math.min(out.length, allowed));
        if (n == 0 && inflater.needsDictionary()) {
          throw new TensorFileException(m.label, "deflated data needs a preset dictionary");
        }
        if (n > 0) {
          if (!verify) {
            n = (int) Math.min(n, prefix - produced);
          } else if (produced + n > e.size) {
            throw new TensorFileException(
                m.label, "inflates to more than the declared uncompressed size " + e.size);
          }
          produced += n;
          crc.update(out, 0, n);
          try {
            sink.accept(out, 0, n);
          } catch (IOException io) {
            throw new TensorFileException(m.label, "cannot store inflated data: " + io.getMessage(), io);
          }
        }
      }
      if (verify && produced != e.size) {
        throw new TensorFileException(
            m.label, "inflates to " + produced + " bytes, not the declared uncompressed size " + e.size);
      }
      if (verify && crc.getValue() != e.crc) {
        throw new TensorFileException(
            m.label, String.format("CRC-32 mismatch: stored %08x, data has %08x", e.crc, crc.getValue()));
      }
    } catch (DataFormatException dfe) {
      throw new TensorFileException(m.label, "corrupt deflated data: " + dfe.getMessage(), dfe);
    } finally {
      inflater.end();
    }
  }

  /** Checks a stored entry's CRC-32 (one read pass over the mapping, no copy kept). */
  private void verifyStored(Member m) throws TensorFileException {
    ZipDirectory.Entry e = m.entry;
    CRC32 crc = new CRC32();
    byte[] chunk = new byte[(int) Math.min(1 << 20, Math.max(1, e.size))];
    for (long done = 0; done < e.size; ) {
      int n = (int) Math.min(chunk.length, e.size - done);
      archive.copy(e.dataOffset + done, chunk, 0, n);
      crc.update(chunk, 0, n);
      done += n;
    }
    if (crc.getValue() != e.crc) {
      throw new TensorFileException(
          m.label, String.format("CRC-32 mismatch: stored %08x, data has %08x", e.crc, crc.getValue()));
    }
  }

  private StoredTensor inflate(Member m, String name) throws IOException {
    ZipDirectory.Entry e = m.entry;
    ByteSource bytes;
    if (e.size <= inMemoryLimit && e.size <= Shapes.MAX_ARRAY) {
      ByteBuffer buf = ByteBuffer.allocate((int) e.size);
      inflateTo(m, (b, off, len) -> buf.put(b, off, len), -1);
      buf.flip();
      bytes = ByteSource.of(buf);
    } else {
      Path tmp = Files.createTempFile("jvmready-npz-", ".npy");
      tempFiles.add(tmp);
      tmp.toFile().deleteOnExit();
      try (OutputStream os = Files.newOutputStream(tmp)) {
        inflateTo(m, os::write, -1);
      }
      bytes = ByteSource.map(tmp, ByteSource.DEFAULT_REGION, m.label);
      inflatedFiles.add(bytes);
    }
    return Npy.read(bytes, m.label, name, lifetime);
  }
}
