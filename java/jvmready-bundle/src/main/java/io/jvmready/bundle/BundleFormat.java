package io.jvmready.bundle;

import io.jvmready.TensorFileException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The three encodings of a jvmready bundle, and how a file's first bytes tell them apart. */
public enum BundleFormat {
  /** safetensors with the manifest in the header metadata: memory-mapped, any size. */
  SAFETENSORS(List.of(".safetensors")),
  /** One protobuf {@code Bundle} message ({@code schemas/bundle.proto}), under 2 GiB. */
  PROTOBUF(List.of(".pb", ".binpb", ".protobuf")),
  /** An Avro object container file holding one {@code Bundle} record ({@code schemas/bundle.avsc}). */
  AVRO(List.of(".avro"));

  /** Every protobuf bundle starts with field 1, {@code magic = "jvmready.bundle"}. */
  static final String PROTOBUF_MAGIC = "jvmready.bundle";

  private static final byte[] AVRO_MAGIC = {'O', 'b', 'j', 1};

  private final List<String> suffixes;

  BundleFormat(List<String> suffixes) {
    this.suffixes = suffixes;
  }

  /** File name endings this encoding uses, e.g. {@code ".pb"}. */
  public List<String> suffixes() {
    return suffixes;
  }

  /**
   * The encoding of a bundle file: from its first bytes, else from its extension.
   *
   * @param path the file
   * @return its encoding
   * @throws TensorFileException if it is none of the three
   * @throws IOException if the file cannot be read
   */
  public static BundleFormat detect(Path path) throws IOException {
    byte[] head;
    try (InputStream in = Files.newInputStream(path)) {
      head = in.readNBytes(32);
    }
    if (startsWith(head, AVRO_MAGIC)) {
      return AVRO;
    }
    byte[] magic = PROTOBUF_MAGIC.getBytes(StandardCharsets.US_ASCII);
    byte[] pbHead = new byte[magic.length + 2];
    pbHead[0] = 0x0a; // field 1, length-delimited
    pbHead[1] = (byte) magic.length;
    System.arraycopy(magic, 0, pbHead, 2, magic.length);
    if (startsWith(head, pbHead)) {
      return PROTOBUF;
    }
    if (head.length >= 9 && head[8] == '{') {
      return SAFETENSORS;
    }
    String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
    for (BundleFormat f : values()) {
      for (String suffix : f.suffixes) {
        if (name.endsWith(suffix)) {
          return f;
        }
      }
    }
    throw new TensorFileException(
        path, "not a jvmready bundle (neither safetensors, protobuf nor Avro)");
  }

  private static boolean startsWith(byte[] head, byte[] prefix) {
    return head.length >= prefix.length
        && Arrays.equals(head, 0, prefix.length, prefix, 0, prefix.length);
  }
}
