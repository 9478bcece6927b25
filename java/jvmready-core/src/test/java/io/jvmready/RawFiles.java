package io.jvmready;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes npy and safetensors files byte by byte, with layouts the Java writers never produce (big
 * endian, Fortran order, data at an odd offset), and observes the process's open files and
 * mappings through {@code /proc/self} (Linux).
 */
final class RawFiles {
  private RawFiles() {}

  /** Little- or big-endian bytes of {@code values}, each {@code width} bytes wide. */
  static byte[] bytes(long[] values, int width, ByteOrder order) {
    ByteBuffer b = ByteBuffer.allocate(values.length * width).order(order);
    for (long v : values) {
      switch (width) {
        case 1:
          b.put((byte) v);
          break;
        case 2:
          b.putShort((short) v);
          break;
        case 4:
          b.putInt((int) v);
          break;
        default:
          b.putLong(v);
      }
    }
    return b.array();
  }

  /** An npy 1.0 file: {@code descr} such as {@code ">i8"}, data right after the 64-aligned header. */
  static Path npy(Path file, String descr, boolean fortran, long[] shape, byte[] data) throws IOException {
    StringBuilder dims = new StringBuilder();
    for (long d : shape) {
      dims.append(d).append(", ");
    }
    String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False")
        + ", 'shape': (" + (shape.length == 1 ? shape[0] + "," : dims.toString().replaceAll(", $", ""))
        + "), }";
    StringBuilder header = new StringBuilder(dict);
    while ((10 + header.length() + 1) % 64 != 0) {
      header.append(' ');
    }
    header.append('\n');
    ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
    b.putShort((short) header.length()).put(header.toString().getBytes(StandardCharsets.US_ASCII));
    b.put(data);
    return Files.write(file, b.array());
  }

  /**
   * A safetensors file holding one tensor {@code name}, its header padded with spaces to {@code
   * headerLength} bytes so the data starts at {@code 8 + headerLength} (any alignment).
   */
  static Path safetensors(Path file, int headerLength, String name, DType dtype, long[] shape, byte[] data)
      throws IOException {
    StringBuilder dims = new StringBuilder();
    for (int i = 0; i < shape.length; i++) {
      dims.append(i == 0 ? "" : ",").append(shape[i]);
    }
    StringBuilder json = new StringBuilder(
        "{\"" + name + "\":{\"dtype\":\"" + dtype.safetensorsName() + "\",\"shape\":[" + dims
            + "],\"data_offsets\":[0," + data.length + "]}}");
    if (json.length() > headerLength) {
      throw new IllegalArgumentException("header needs " + json.length() + " bytes");
    }
    while (json.length() < headerLength) {
      json.append(' ');
    }
    ByteBuffer b = ByteBuffer.allocate(8 + headerLength + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(headerLength).put(json.toString().getBytes(StandardCharsets.US_ASCII)).put(data);
    return Files.write(file, b.array());
  }

  /** Whether {@code /proc/self} shows this process's descriptors and mappings. */
  static boolean procAvailable() {
    return Files.isDirectory(Path.of("/proc/self/fd")) && Files.isReadable(Path.of("/proc/self/maps"));
  }

  /** Descriptors of this process open on {@code file}. */
  static int openDescriptors(Path file) throws IOException {
    Path real = file.toRealPath();
    int n = 0;
    List<Path> fds = new ArrayList<>();
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      s.forEach(fds::add);
    }
    for (Path fd : fds) {
      try {
        if (Files.readSymbolicLink(fd).equals(real)) {
          n++;
        }
      } catch (IOException gone) {
        // the descriptor used to list the directory, closed by now
      }
    }
    return n;
  }

  /** Mapped ranges of this process backed by {@code file} (one line of /proc/self/maps each). */
  static int mappings(Path file) throws IOException {
    String real = file.toRealPath().toString();
    int n = 0;
    for (String line : Files.readAllLines(Path.of("/proc/self/maps"), StandardCharsets.UTF_8)) {
      if (line.endsWith(" " + real) || line.endsWith(" " + real + " (deleted)")) {
        n++;
      }
    }
    return n;
  }
}
