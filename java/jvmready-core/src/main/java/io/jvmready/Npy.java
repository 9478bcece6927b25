package io.jvmready;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads {@code .npy} files (format 1.0, 2.0 and 3.0) as memory-mapped {@link Tensor}s. The header is
 * validated before any data is touched; data is read only when a typed accessor asks for it.
 *
 * <pre>{@code
 * Tensor ids = Npy.open(Path.of("ids.npy"));
 * int[] values = ids.toIntArrayExact(); // throws IntegerWidthException naming index and value
 * }</pre>
 */
public final class Npy {
  private Npy() {}

  /**
   * Opens an npy file. The tensor is named after the file without its {@code .npy} suffix and stays
   * readable after this method returns (the mapping lives as long as the tensor). Data beyond the
   * first 1 GiB is mapped on first access; the file stays open until all of it is mapped or the
   * tensor is garbage collected.
   *
   * @param path the file
   * @return the tensor, memory-mapped
   * @throws TensorFileException if the file is not a valid npy file of a supported dtype
   * @throws IOException if the file cannot be read
   */
  public static Tensor open(Path path) throws IOException {
    return open(path, ByteSource.DEFAULT_REGION);
  }

  /** As {@link #open(Path)} with a chosen mapping region size (tests use tiny regions). */
  static Tensor open(Path path, int regionSize) throws IOException {
    ByteSource file = ByteSource.map(path, regionSize);
    try {
      return read(file, path.toString(), stem(path), Lifetime.FOREVER);
    } catch (IOException | RuntimeException e) {
      file.close();
      throw e;
    }
  }

  /** Reads the npy byte stream {@code src} as a tensor named {@code name}. */
  static StoredTensor read(ByteSource src, String source, String name, Lifetime lifetime)
      throws TensorFileException {
    NpyHeader h = NpyHeader.read(src, src.length(), source);
    return new StoredTensor(
        name, source, h.dtype, h.shape, src.slice(h.dataOffset, h.dataLength), h.order,
        h.fortranOrder, lifetime);
  }

  private static String stem(Path path) {
    Path fileName = path.getFileName();
    String file = fileName == null ? path.toString() : fileName.toString();
    return file.endsWith(".npy") ? file.substring(0, file.length() - 4) : file;
  }
}
