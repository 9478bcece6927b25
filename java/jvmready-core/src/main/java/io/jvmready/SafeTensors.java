package io.jvmready;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Reads {@code .safetensors} files, memory-mapped region by region on first access, so opening
 * costs the same whatever the file's size. The header is validated as the format requires
 * before any tensor is touched: length at most 100 MB and inside the file, strict UTF-8 JSON, every
 * dtype known, every shape matching its byte range, and the ranges contiguous, in bounds and not
 * overlapping.
 *
 * <pre>{@code
 * try (SafeTensors st = SafeTensors.open(Path.of("model.safetensors"))) {
 *   float[] w = st.get("dense.weight").toFloatArray();
 * }
 * }</pre>
 */
public final class SafeTensors implements AutoCloseable {
  /** The format's limit on the JSON header. */
  static final long MAX_HEADER_BYTES = 100L * 1000 * 1000;

  private final String source;
  private final ByteSource file;
  private final Lifetime lifetime;
  private final Map<String, Tensor> tensors;
  private final Map<String, String> metadata;

  private SafeTensors(String source, ByteSource file) throws TensorFileException {
    this.source = source;
    this.file = file;
    this.lifetime = new Lifetime(source);
    long len = file.length();
    if (len < 8) {
      throw new TensorFileException(source, "not a safetensors file: " + len + " bytes is shorter than the 8-byte header length");
    }
    long n = ByteBuffer.wrap(file.bytes(0, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong(); // no mapping
    String shown = Long.toUnsignedString(n);
    if (n < 0 || n > MAX_HEADER_BYTES) {
      throw new TensorFileException(
          source, "header length " + shown + " exceeds the format's limit of " + MAX_HEADER_BYTES + " bytes");
    }
    if (n > len - 8) {
      throw new TensorFileException(
          source, "header length " + shown + " runs past end of file (" + len + " bytes)");
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(file.bytes(8, (int) n)))
          .toString();
    } catch (CharacterCodingException e) {
      throw new TensorFileException(source, "header is not valid UTF-8", e);
    }
    if (!text.startsWith("{")) {
      throw new TensorFileException(source, "header does not start with '{'");
    }
    Object parsed = Json.parse(text, source);
    if (!(parsed instanceof Map)) {
      throw new TensorFileException(source, "header is not a JSON object");
    }
    Map<?, ?> header = (Map<?, ?>) parsed;
    ByteSource data = file.slice(8 + n, len - 8 - n);
    Map<String, String> meta = new LinkedHashMap<>();
    List<Range> ranges = new ArrayList<>();
    Map<String, Tensor> byName = new LinkedHashMap<>();
    for (Map.Entry<?, ?> kv : header.entrySet()) {
      String name = (String) kv.getKey();
      if (name.equals("__metadata__")) {
        if (!(kv.getValue() instanceof Map)) {
          throw new TensorFileException(source, "__metadata__ is not an object of strings");
        }
        for (Map.Entry<?, ?> m : ((Map<?, ?>) kv.getValue()).entrySet()) {
          if (!(m.getValue() instanceof String)) {
            throw new TensorFileException(source, "__metadata__ value for '" + m.getKey() + "' is not a string");
          }
          meta.put((String) m.getKey(), (String) m.getValue());
        }
        continue;
      }
      Range r = info(name, kv.getValue(), data.length());
      ranges.add(r);
      byName.put(
          name,
          new StoredTensor(
              name, source, r.dtype, r.shape, data.slice(r.begin, r.end - r.begin),
              ByteOrder.LITTLE_ENDIAN, false, lifetime));
    }
    ranges.sort(Comparator.comparingLong((Range r) -> r.begin).thenComparingLong(r -> r.end));
    long expected = 0;
    Range prev = null;
    for (Range r : ranges) {
      if (r.begin < expected) {
        throw new TensorFileException(
            source, "tensors '" + prev.name + "' and '" + r.name + "' overlap: data_offsets ["
                + prev.begin + ", " + prev.end + ") and [" + r.begin + ", " + r.end + ")");
      }
      if (r.begin > expected) {
        throw new TensorFileException(
            source, "gap in data before tensor '" + r.name + "': bytes [" + expected + ", " + r.begin + ") belong to no tensor");
      }
      expected = r.end;
      prev = r;
    }
    if (expected != data.length()) {
      throw new TensorFileException(
          source, "tensors cover " + expected + " data bytes but the file holds " + data.length());
    }
    this.tensors = Collections.unmodifiableMap(byName);
    this.metadata = Collections.unmodifiableMap(meta);
  }

  /** A tensor's validated header entry. */
  private static final class Range {
    final String name;
    final DType dtype;
    final long[] shape;
    final long begin;
    final long end;

    Range(String name, DType dtype, long[] shape, long begin, long end) {
      this.name = name;
      this.dtype = dtype;
      this.shape = shape;
      this.begin = begin;
      this.end = end;
    }
  }

  private Range info(String name, Object value, long dataLength) throws TensorFileException {
    String what = "tensor '" + name + "': ";
    if (!(value instanceof Map)) {
      throw new TensorFileException(source, what + "header entry is not an object");
    }
    Map<?, ?> m = (Map<?, ?>) value;
    for (Object key : m.keySet()) {
      if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
        throw new TensorFileException(source, what + "unexpected key \"" + key + "\"");
      }
    }
    if (!(m.get("dtype") instanceof String)) {
      throw new TensorFileException(source, what + "dtype missing or not a string");
    }
    String dt = (String) m.get("dtype");
    DType dtype = null;
    for (DType d : DType.values()) {
      if (d.safetensorsName().equals(dt)) {
        dtype = d;
      }
    }
    if (dtype == null) {
      throw new TensorFileException(source, what + "unknown dtype \"" + dt + "\"");
    }
    long[] shape = longs(m.get("shape"), what + "shape", -1);
    long[] offsets = longs(m.get("data_offsets"), what + "data_offsets", 2);
    long begin = offsets[0];
    long end = offsets[1];
    if (begin > end) {
      throw new TensorFileException(source, what + "data_offsets [" + begin + ", " + end + "] are reversed");
    }
    if (end > dataLength) {
      throw new TensorFileException(
          source, what + "data_offsets end " + end + " beyond the " + dataLength + " data bytes in the file (truncated?)");
    }
    long size = Shapes.sizeOrMinusOne(shape);
    long need = Shapes.byteLengthOrMinusOne(size, dtype.itemSize());
    if (size < 0 || need < 0) {
      throw new TensorFileException(source, what + "shape " + Arrays.toString(shape) + " overflows");
    }
    if (need != end - begin) {
      throw new TensorFileException(
          source, what + "shape " + Arrays.toString(shape) + " of " + dt + " needs " + need
              + " bytes, which does not match data_offsets [" + begin + ", " + end + "]");
    }
    return new Range(name, dtype, shape, begin, end);
  }

  private long[] longs(Object value, String what, int count) throws TensorFileException {
    if (!(value instanceof List)) {
      throw new TensorFileException(source, what + " missing or not a list");
    }
    List<?> list = (List<?>) value;
    if (count >= 0 && list.size() != count) {
      throw new TensorFileException(source, what + " must have " + count + " entries");
    }
    long[] out = new long[list.size()];
    for (int i = 0; i < out.length; i++) {
      Object o = list.get(i);
      if (!(o instanceof Long) || (Long) o < 0) {
        throw new TensorFileException(source, what + " holds " + o + ", not a non-negative integer");
      }
      out[i] = (Long) o;
    }
    return out;
  }

  /**
   * Opens a safetensors file, memory-mapped.
   *
   * @param path the file
   * @return the file's tensors
   * @throws TensorFileException if the header is invalid
   * @throws IOException if the file cannot be read
   */
  public static SafeTensors open(Path path) throws IOException {
    return open(path, ByteSource.DEFAULT_REGION);
  }

  /** As {@link #open(Path)} with a chosen mapping region size (tests use tiny regions). */
  static SafeTensors open(Path path, int regionSize) throws IOException {
    ByteSource file = ByteSource.map(path, regionSize);
    try {
      return new SafeTensors(path.toString(), file);
    } catch (IOException | RuntimeException e) {
      file.close();
      throw e;
    }
  }

  /**
   * Tensor names in header order.
   *
   * @return the names ({@code __metadata__} excluded)
   */
  public List<String> names() {
    return Collections.unmodifiableList(new ArrayList<>(tensors.keySet()));
  }

  /**
   * Whether the file holds a tensor of this name.
   *
   * @param name tensor key
   * @return true if {@link #get} will find it
   */
  public boolean contains(String name) {
    return tensors.containsKey(name);
  }

  /**
   * The tensor called {@code name}.
   *
   * @param name the tensor's key in the header
   * @return the tensor, memory-mapped
   * @throws NoSuchElementException if there is no such tensor (the message lists the names)
   */
  public Tensor get(String name) {
    lifetime.check(name);
    Tensor t = tensors.get(name);
    if (t == null) {
      throw new NoSuchElementException(source + ": no tensor '" + name + "'; it has " + tensors.keySet());
    }
    return t;
  }

  /**
   * All tensors in header order.
   *
   * @return the tensors
   */
  public List<Tensor> tensors() {
    return Collections.unmodifiableList(new ArrayList<>(tensors.values()));
  }

  /**
   * The {@code __metadata__} string map.
   *
   * @return the metadata, empty if the file has none
   */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * The file path this was read from.
   *
   * @return the path as named in error messages
   */
  public String source() {
    return source;
  }

  /**
   * Ends access to the tensors and releases the file: its channel is closed and its mappings are
   * dropped (the memory is unmapped once the garbage collector frees them). Idempotent.
   */
  @Override
  public void close() {
    lifetime.close();
    file.close();
  }
}
