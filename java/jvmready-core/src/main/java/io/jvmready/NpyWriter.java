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

/**
 * Writes tensors as {@code .npy} format 1.0, little-endian, C order, exactly as {@code np.save}
 * would, so that {@code np.load} in Python reads the same values back. Supports every dtype npy
 * has (all but BFLOAT16); FLOAT16 and values of UINT64 above Long.MAX_VALUE need a tensor made by
 * this library.
 */
public final class NpyWriter {
  private NpyWriter() {}

  /**
   * Writes {@code tensor} to {@code path} through a temporary file renamed into place, so an
   * existing file is either fully replaced or left untouched.
   *
   * @param path destination
   * @param tensor the tensor
   * @throws IOException if writing fails
   */
  public static void write(Path path, Tensor tensor) throws IOException {
    Path dir = path.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, ".jvmready-", ".npy.tmp");
    try {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
        write(out, tensor);
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

  /**
   * Writes {@code tensor} in npy format to a stream (which stays open).
   *
   * @param out destination stream
   * @param tensor the tensor
   * @throws IOException if writing fails
   */
  public static void write(OutputStream out, Tensor tensor) throws IOException {
    out.write(header(tensor));
    writeData(out, tensor);
  }

  /** Total npy length of a tensor: header plus data. */
  static long length(Tensor tensor) {
    return header(tensor).length + tensor.size() * tensor.dtype().itemSize();
  }

  /** The npy 1.0 preamble and header dict, padded to a multiple of 64 bytes as numpy does. */
  static byte[] header(Tensor tensor) {
    return header(tensor.name(), tensor.dtype(), tensor.shape());
  }

  /** The npy 1.0 header for elements of {@code dtype} in {@code shape}. */
  static byte[] header(String name, DType dtype, long[] shape) {
    String dict =
        "{'descr': '" + NpyHeader.descrOf(dtype) + "', 'fortran_order': False, 'shape': "
            + Shapes.python(shape) + ", }";
    int unpadded = 10 + dict.length() + 1;
    int total = (unpadded + 63) / 64 * 64;
    int headerLength = total - 10;
    if (headerLength > 0xFFFF) {
      throw new IllegalArgumentException("tensor '" + name + "': shape too long for npy 1.0");
    }
    StringBuilder sb = new StringBuilder(dict);
    while (sb.length() < headerLength - 1) {
      sb.append(' ');
    }
    sb.append('\n');
    ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
    b.putShort((short) headerLength);
    b.put(sb.toString().getBytes(StandardCharsets.US_ASCII));
    return b.array();
  }

  /** Writes the elements little-endian in C order. */
  static void writeData(OutputStream out, Tensor tensor) throws IOException {
    DType dtype = tensor.dtype();
    NpyHeader.descrOf(dtype); // refuses BFLOAT16 before anything is written
    StoredTensor stored = tensor instanceof StoredTensor ? (StoredTensor) tensor : null;
    if (stored == null && dtype == DType.FLOAT16) {
      throw new IllegalArgumentException(
          "tensor '" + tensor.name() + "': FLOAT16 can only be written from a jvmready tensor");
    }
    int item = dtype.itemSize();
    ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    long size = tensor.size();
    for (long i = 0; i < size; i++) {
      long bits = stored != null ? stored.rawBits(i) : bitsOf(tensor, i);
      if (buf.remaining() < item) {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
      }
      switch (item) {
        case 1:
          buf.put((byte) bits);
          break;
        case 2:
          buf.putShort((short) bits);
          break;
        case 4:
          buf.putInt((int) bits);
          break;
        default:
          buf.putLong(bits);
      }
    }
    out.write(buf.array(), 0, buf.position());
  }

  private static long bitsOf(Tensor t, long i) {
    switch (t.dtype()) {
      case FLOAT32:
        return Float.floatToRawIntBits((float) t.getDouble(i)) & 0xFFFFFFFFL;
      case FLOAT64:
        return Double.doubleToRawLongBits(t.getDouble(i));
      default:
        return t.getLong(i);
    }
  }
}
