package io.jvmready.onnxruntime;

import io.jvmready.NpyWriter;
import io.jvmready.Tensor;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes an {@code .npz} archive as {@code np.savez} does (stored, uncompressed {@code name.npy}
 * entries) through a temporary file renamed into place. Numeric entries are core {@link Tensor}s
 * written by {@link NpyWriter}; string entries become fixed-width unicode ({@code <U n}) arrays,
 * which NumPy reads without pickling.
 */
final class NpzOutput {
  private final Map<String, Object> entries = new LinkedHashMap<>();

  /** Adds a numeric entry. */
  void put(Tensor tensor) {
    entries.put(tensor.name(), tensor);
  }

  /** Adds a string entry: {@code values} in C order with {@code shape}. */
  void putStrings(String name, String[] values, long[] shape) {
    entries.put(name, new Strings(values, shape.clone()));
  }

  private record Strings(String[] values, long[] shape) {}

  /** Writes every entry to {@code path}, replacing it only once complete. */
  void write(Path path) throws IOException {
    Path dir = path.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + path.getFileName() + ".", ".tmp");
    try {
      try (OutputStream file = Files.newOutputStream(tmp);
          ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(file, 1 << 16))) {
        for (Map.Entry<String, Object> e : entries.entrySet()) {
          ByteArrayOutputStream npy = new ByteArrayOutputStream();
          if (e.getValue() instanceof Strings s) {
            writeUnicodeNpy(npy, s.values, s.shape);
          } else {
            NpyWriter.write(npy, (Tensor) e.getValue());
          }
          byte[] bytes = npy.toByteArray();
          CRC32 crc = new CRC32();
          crc.update(bytes);
          ZipEntry z = new ZipEntry(e.getKey() + ".npy");
          z.setMethod(ZipEntry.STORED);
          z.setSize(bytes.length);
          z.setCompressedSize(bytes.length);
          z.setCrc(crc.getValue());
          zip.putNextEntry(z);
          zip.write(bytes);
          zip.closeEntry();
        }
      }
      try {
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** npy 1.0 of dtype {@code <U n}: UTF-32LE code points, each value zero-padded to n. */
  static void writeUnicodeNpy(OutputStream out, String[] values, long[] shape) throws IOException {
    int width = 1;
    for (String v : values) {
      width = Math.max(width, v.codePointCount(0, v.length()));
    }
    StringBuilder dims = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      dims.append(i > 0 ? ", " : "").append(shape[i]);
    }
    dims.append(shape.length == 1 ? ",)" : ")");
    String dict =
        "{'descr': '<U" + width + "', 'fortran_order': False, 'shape': " + dims + ", }";
    int unpadded = 10 + dict.length() + 1;
    int total = (unpadded + 63) / 64 * 64;
    String header = dict + " ".repeat(total - unpadded) + "\n";
    ByteBuffer pre = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
    pre.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII));
    pre.put((byte) 1).put((byte) 0).putShort((short) header.length());
    out.write(pre.array());
    out.write(header.getBytes(StandardCharsets.US_ASCII));
    ByteBuffer item = ByteBuffer.allocate(4 * width).order(ByteOrder.LITTLE_ENDIAN);
    for (String v : values) {
      item.clear();
      v.codePoints().forEach(item::putInt);
      while (item.hasRemaining()) {
        item.putInt(0);
      }
      out.write(item.array());
    }
  }
}
