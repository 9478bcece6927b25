package io.jvmready;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The validated header of an npy file: magic, version 1.0/2.0/3.0, and the Python dict literal
 * {@code {'descr': '<i8', 'fortran_order': False, 'shape': (3,), }}. The dict grammar is parsed
 * strictly (exactly those three keys, no expressions), and the declared data length is checked
 * against the bytes actually present before anything else is read.
 */
final class NpyHeader {
  /** Largest header accepted (numpy itself refuses headers over 10000 bytes by default). */
  static final int MAX_HEADER_BYTES = 1 << 20;

  /** Most dimensions numpy supports. */
  static final int MAX_DIMS = 64;

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

  final DType dtype;
  final ByteOrder order;
  final boolean fortranOrder;
  final long[] shape;
  final long size;
  final long dataOffset;
  final long dataLength;

  private NpyHeader(
      DType dtype, ByteOrder order, boolean fortranOrder, long[] shape, long size, long dataOffset,
      long dataLength) {
    this.dtype = dtype;
    this.order = order;
    this.fortranOrder = fortranOrder;
    this.shape = shape;
    this.size = size;
    this.dataOffset = dataOffset;
    this.dataLength = dataLength;
  }

  /**
   * Reads and validates the header at the start of {@code src}.
   *
   * @param src the bytes holding the header (at least the header; possibly the whole file)
   * @param totalLength length of the whole npy byte stream (file or zip entry)
   * @param source label for errors
   */
  static NpyHeader read(ByteSource src, long totalLength, String source) throws TensorFileException {
    if (totalLength < 10 || src.length() < 10) {
      throw new TensorFileException(source, "not an npy file: " + totalLength + " bytes is shorter than the npy preamble");
    }
    byte[] pre = src.bytes(0, 8);
    for (int i = 0; i < MAGIC.length; i++) {
      if (pre[i] != MAGIC[i]) {
        throw new TensorFileException(source, "not an npy file: magic string \\x93NUMPY missing");
      }
    }
    int major = pre[6] & 0xFF;
    int minor = pre[7] & 0xFF;
    long headerLength;
    int prefix;
    if (major == 1 && minor == 0) {
      prefix = 10;
      headerLength = src.getShort(8, ByteOrder.LITTLE_ENDIAN) & 0xFFFFL;
    } else if ((major == 2 || major == 3) && minor == 0) {
      prefix = 12;
      if (totalLength < 12 || src.length() < 12) {
        throw new TensorFileException(source, "npy file truncated inside the preamble");
      }
      headerLength = src.getInt(8, ByteOrder.LITTLE_ENDIAN) & 0xFFFFFFFFL;
    } else {
      throw new TensorFileException(
          source, "unsupported npy format version " + major + "." + minor + " (1.0, 2.0, 3.0 are known)");
    }
    if (headerLength > totalLength - prefix) {
      throw new TensorFileException(
          source, "header length " + headerLength + " runs past end of file (" + totalLength + " bytes)");
    }
    if (headerLength > MAX_HEADER_BYTES) {
      throw new TensorFileException(
          source, "header length " + headerLength + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
    }
    if (prefix + headerLength > src.length()) {
      throw new TensorFileException(source, "header length " + headerLength + " runs past the available bytes");
    }
    byte[] raw = src.bytes(prefix, (int) headerLength);
    String text =
        new String(raw, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    DictParser dict = new DictParser(text, source);
    dict.parse();
    String descr = dict.descr;
    DType dtype = dtypeOf(descr, source);
    ByteOrder order = descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    long[] shape = dict.shape;
    long size = Shapes.sizeOrMinusOne(shape);
    long need = Shapes.byteLengthOrMinusOne(size, dtype.itemSize());
    if (size < 0 || need < 0) {
      throw new TensorFileException(
          source, "shape " + Shapes.python(shape) + " overflows: more than 2^63 bytes of " + descr);
    }
    long dataOffset = prefix + headerLength;
    long present = totalLength - dataOffset;
    if (present < need) {
      throw new TensorFileException(
          source,
          "data truncated: shape " + Shapes.python(shape) + " of " + descr + " needs " + need
              + " bytes but " + present + " follow the header");
    }
    if (present > need) {
      throw new TensorFileException(
          source,
          (present - need) + " trailing bytes: shape " + Shapes.python(shape) + " of " + descr
              + " needs " + need + " bytes but " + present + " follow the header");
    }
    return new NpyHeader(dtype, order, dict.fortranOrder, shape, size, dataOffset, need);
  }

  /** Maps an npy descr such as {@code '<i8'} or {@code '|b1'} to a dtype. */
  static DType dtypeOf(String descr, String source) throws TensorFileException {
    if (descr.length() < 3) {
      throw unsupported(descr, source);
    }
    char byteOrder = descr.charAt(0);
    String kind = descr.substring(1);
    DType dtype;
    switch (kind) {
      case "b1":
        dtype = DType.BOOL;
        break;
      case "i1":
        dtype = DType.INT8;
        break;
      case "u1":
        dtype = DType.UINT8;
        break;
      case "i2":
        dtype = DType.INT16;
        break;
      case "u2":
        dtype = DType.UINT16;
        break;
      case "i4":
        dtype = DType.INT32;
        break;
      case "u4":
        dtype = DType.UINT32;
        break;
      case "i8":
        dtype = DType.INT64;
        break;
      case "u8":
        dtype = DType.UINT64;
        break;
      case "f2":
        dtype = DType.FLOAT16;
        break;
      case "f4":
        dtype = DType.FLOAT32;
        break;
      case "f8":
        dtype = DType.FLOAT64;
        break;
      default:
        throw unsupported(descr, source);
    }
    boolean ok =
        byteOrder == '<' || byteOrder == '>' || (byteOrder == '|' && dtype.itemSize() == 1);
    if (!ok) {
      throw new TensorFileException(source, "npy descr '" + descr + "' has an invalid byte-order mark");
    }
    return dtype;
  }

  private static TensorFileException unsupported(String descr, String source) {
    return new TensorFileException(
        source, "unsupported dtype '" + descr + "' (bool, integer and float dtypes are supported)");
  }

  /** The npy descr for a dtype, little-endian. */
  static String descrOf(DType dtype) {
    switch (dtype) {
      case BOOL:
        return "|b1";
      case INT8:
        return "|i1";
      case UINT8:
        return "|u1";
      case INT16:
        return "<i2";
      case UINT16:
        return "<u2";
      case INT32:
        return "<i4";
      case UINT32:
        return "<u4";
      case INT64:
        return "<i8";
      case UINT64:
        return "<u8";
      case FLOAT16:
        return "<f2";
      case FLOAT32:
        return "<f4";
      case FLOAT64:
        return "<f8";
      default:
        throw new IllegalArgumentException("npy has no dtype for " + dtype);
    }
  }

  /** Strict parser for the header's Python dict literal. */
  private static final class DictParser {
    private final String text;
    private final String source;
    private int pos;
    String descr;
    Boolean fortranOrder;
    long[] shape;

    DictParser(String text, String source) {
      this.text = text;
      this.source = source;
    }

    TensorFileException error(String what) {
      return new TensorFileException(source, "invalid npy header at character " + pos + ": " + what);
    }

    void skip() {
      while (pos < text.length()) {
        char c = text.charAt(pos);
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
          return;
        }
        pos++;
      }
    }

    boolean peek(char c) {
      skip();
      return pos < text.length() && text.charAt(pos) == c;
    }

    void expect(char c) throws TensorFileException {
      if (!peek(c)) {
        throw error("expected '" + c + "'");
      }
      pos++;
    }

    void parse() throws TensorFileException {
      expect('{');
      while (!peek('}')) {
        String key = string();
        expect(':');
        switch (key) {
          case "descr":
            if (descr != null) {
              throw error("duplicate key 'descr'");
            }
            if (peek('[')) {
              throw error("structured (record) dtypes are not supported");
            }
            descr = string();
            break;
          case "fortran_order":
            if (fortranOrder != null) {
              throw error("duplicate key 'fortran_order'");
            }
            fortranOrder = bool();
            break;
          case "shape":
            if (shape != null) {
              throw error("duplicate key 'shape'");
            }
            shape = tuple();
            break;
          default:
            throw error("unexpected key '" + key + "' (only 'descr', 'fortran_order', 'shape')");
        }
        if (peek(',')) {
          pos++;
        } else if (!peek('}')) {
          throw error("expected ',' or '}'");
        }
      }
      pos++; // '}'
      skip();
      if (pos != text.length()) {
        throw error("unexpected text after the header dict");
      }
      if (descr == null || fortranOrder == null || shape == null) {
        throw error("missing key: 'descr', 'fortran_order' and 'shape' are all required");
      }
    }

    String string() throws TensorFileException {
      skip();
      if (pos >= text.length() || (text.charAt(pos) != '\'' && text.charAt(pos) != '"')) {
        throw error("expected a quoted string");
      }
      char quote = text.charAt(pos++);
      int start = pos;
      while (pos < text.length() && text.charAt(pos) != quote) {
        char c = text.charAt(pos);
        if (c == '\\' || c < 0x20) {
          throw error("escapes and control characters are not allowed in strings");
        }
        pos++;
      }
      if (pos >= text.length()) {
        throw error("unterminated string");
      }
      return text.substring(start, pos++);
    }

    boolean bool() throws TensorFileException {
      skip();
      if (text.startsWith("True", pos)) {
        pos += 4;
        return true;
      }
      if (text.startsWith("False", pos)) {
        pos += 5;
        return false;
      }
      throw error("expected True or False");
    }

    long[] tuple() throws TensorFileException {
      expect('(');
      List<Long> dims = new ArrayList<>();
      boolean trailingComma = false;
      while (!peek(')')) {
        if (dims.size() == MAX_DIMS) {
          throw error("more than " + MAX_DIMS + " dimensions");
        }
        dims.add(integer());
        trailingComma = false;
        if (peek(',')) {
          pos++;
          trailingComma = true;
        } else if (!peek(')')) {
          throw error("expected ',' or ')' in shape");
        }
      }
      pos++; // ')'
      if (dims.size() == 1 && !trailingComma) {
        throw error("a one-element shape needs a trailing comma, e.g. (3,)");
      }
      long[] out = new long[dims.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = dims.get(i);
      }
      return out;
    }

    long integer() throws TensorFileException {
      skip();
      int start = pos;
      while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
        pos++;
      }
      if (pos == start) {
        throw error("expected a non-negative integer dimension");
      }
      String digits = text.substring(start, pos);
      if (pos < text.length() && text.charAt(pos) == 'L') {
        pos++; // Python 2 long suffix, still found in old files
      }
      try {
        return Long.parseLong(digits);
      } catch (NumberFormatException e) {
        throw error("dimension " + digits + " does not fit 64 bits");
      }
    }
  }
}
