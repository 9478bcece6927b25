package io.jvmready;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;

/**
 * A tensor whose elements live in a {@link ByteSource} (mapped file or memory), in either byte
 * order and in C or Fortran order. Single reads convert a C-order flat index to a storage offset;
 * bulk accessors of C-order data decode whole regions through buffer views. Values are checked on
 * every narrowing conversion.
 */
final class StoredTensor implements Tensor {
  /** Source label of tensors built in memory; their errors name no file. */
  static final String MEMORY = "memory";

  private final String name;
  private final String source;
  private final DType dtype;
  private final long[] shape;
  private final long size;
  private final ByteSource data;
  private final ByteOrder order;
  private final boolean fortran;
  private final long[] cStrides;
  private final long[] fStrides;
  private final Lifetime lifetime;

  StoredTensor(
      String name,
      String source,
      DType dtype,
      long[] shape,
      ByteSource data,
      ByteOrder order,
      boolean fortran,
      Lifetime lifetime) {
    this.name = name;
    this.source = source;
    this.dtype = dtype;
    this.shape = shape.clone();
    this.size = Shapes.sizeOrMinusOne(shape);
    if (size < 0 || Shapes.byteLengthOrMinusOne(size, dtype.itemSize()) != data.length()) {
      throw new IllegalArgumentException(
          source + ": tensor '" + name + "' data is " + data.length() + " bytes, shape "
              + Shapes.python(shape) + " of " + dtype + " needs another length");
    }
    this.data = data;
    this.order = order;
    this.fortran = fortran && shape.length > 1;
    this.cStrides = new long[shape.length];
    this.fStrides = new long[shape.length];
    long c = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      cStrides[d] = c;
      c *= Math.max(shape[d], 1);
    }
    long f = 1;
    for (int d = 0; d < shape.length; d++) {
      fStrides[d] = f;
      f *= Math.max(shape[d], 1);
    }
    this.lifetime = lifetime;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public DType dtype() {
    return dtype;
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  @Override
  public long size() {
    return size;
  }

  /** File path or label the tensor was read from. */
  String source() {
    return source;
  }

  @Override
  public String toString() {
    return "Tensor '" + name + "' " + dtype + Shapes.python(shape) + " from " + source;
  }

  private long storageIndex(long flat) {
    if (flat < 0 || flat >= size) {
      throw new IndexOutOfBoundsException(
          "tensor '" + name + "': flat index " + flat + " outside [0, " + size + ")");
    }
    if (!fortran) {
      return flat;
    }
    long index = 0;
    for (int d = 0; d < shape.length; d++) {
      index += (flat / cStrides[d]) % shape[d] * fStrides[d];
    }
    return index;
  }

  /** The element's bits, zero-extended, whatever the file's byte order; flat index in C order. */
  long rawBits(long flat) {
    long pos = storageIndex(flat) * dtype.itemSize();
    switch (dtype.itemSize()) {
      case 1:
        return data.get(pos) & 0xFFL;
      case 2:
        return data.getShort(pos, order) & 0xFFFFL;
      case 4:
        return data.getInt(pos, order) & 0xFFFFFFFFL;
      default:
        return data.getLong(pos, order);
    }
  }

  private IntegerWidthException misfit(long flat, String value, String target) {
    return new IntegerWidthException(source.equals(MEMORY) ? "" : source, name, flat, value, target);
  }

  /** "path: " for file-backed tensors, nothing for in-memory ones. */
  private String where() {
    return source.equals(MEMORY) ? "" : source + ": ";
  }

  private UnsupportedOperationException refuse(String what) {
    return new UnsupportedOperationException(
        where() + "tensor '" + name + "' is " + dtype + "; " + what);
  }

  private void requireIntegral(String method) {
    if (!dtype.isIntegral()) {
      throw refuse(method + " needs an integer or bool tensor; use toFloatArray/toDoubleArray");
    }
  }

  private int arrayLength(String method) {
    if (size > Shapes.MAX_ARRAY) {
      throw refuse(
          "it has " + size + " elements, more than a Java array holds; " + method
              + " cannot copy it (read elements with getLong/getDouble)");
    }
    return (int) size;
  }

  /** Integral value widened to long; UINT64 beyond Long.MAX_VALUE is named against {@code target}. */
  private long integral(long flat, String target) {
    long bits = rawBits(flat);
    switch (dtype) {
      case BOOL:
        if (bits > 1) {
          throw new IllegalStateException(
              where() + "tensor '" + name + "': bool byte " + bits + " at flat index " + flat
                  + " is neither 0 nor 1");
        }
        return bits;
      case INT8:
        return (byte) bits;
      case INT16:
        return (short) bits;
      case INT32:
        return (int) bits;
      case UINT64:
        if (bits < 0) {
          throw misfit(flat, Long.toUnsignedString(bits), target);
        }
        return bits;
      default: // UINT8, UINT16, UINT32 (zero-extended), INT64
        return bits;
    }
  }

  private double floating(long flat) {
    return fromBits(rawBits(flat));
  }

  /** A float dtype's stored bits (zero-extended) to its value. */
  private double fromBits(long bits) {
    switch (dtype) {
      case FLOAT16:
        return halfToFloat((int) bits);
      case BFLOAT16:
        return Float.intBitsToFloat((int) bits << 16);
      case FLOAT32:
        return Float.intBitsToFloat((int) bits);
      default:
        return Double.longBitsToDouble(bits);
    }
  }

  /** IEEE 754 binary16 to float; exact for every value, NaN payloads kept. */
  static float halfToFloat(int h) {
    int sign = (h >>> 15) & 1;
    int exp = (h >>> 10) & 0x1F;
    int mant = h & 0x3FF;
    if (exp == 0) {
      float v = mant * 0x1p-24f;
      return sign == 1 ? -v : v;
    }
    if (exp == 31) {
      return Float.intBitsToFloat((sign << 31) | 0x7F800000 | (mant << 13));
    }
    return Float.intBitsToFloat((sign << 31) | ((exp - 15 + 127) << 23) | (mant << 13));
  }

  /** Whether a signed long is exactly a double (Long.MAX_VALUE rounds up to 2^63). */
  private static boolean exactInDouble(long v) {
    return v != Long.MAX_VALUE && (long) (double) v == v;
  }

  private static boolean exactInFloat(long v) {
    return v != Long.MAX_VALUE && (long) (float) v == v;
  }

  @Override
  public long getLong(long flatIndex) {
    lifetime.check(name);
    requireIntegral("getLong");
    return integral(flatIndex, "int64");
  }

  @Override
  public double getDouble(long flatIndex) {
    lifetime.check(name);
    return exactDouble(flatIndex);
  }

  private double exactDouble(long flat) {
    if (!dtype.isIntegral()) {
      return floating(flat);
    }
    if (dtype == DType.UINT64) {
      long bits = rawBits(flat);
      if (bits < 0) {
        if (Long.numberOfTrailingZeros(bits) >= 11) {
          return (bits >>> 11) * 2048.0;
        }
        throw misfit(flat, Long.toUnsignedString(bits), "float64 (exactly)");
      }
    }
    long v = integral(flat, "float64 (exactly)");
    if (!exactInDouble(v)) {
      throw misfit(flat, Long.toString(v), "float64 (exactly)");
    }
    return v;
  }

  /**
   * Decodes C-order elements {@code [from, from + count)} into {@code dst[off...]}, widened to
   * long: INT8/16/32 sign-extended, everything else zero-extended (UINT64 and float bits as
   * stored). C-order storage is read in bulk, one buffer view per mapped region; Fortran order
   * element by element. Nothing is checked here: callers test each value against their target.
   */
  private void widened(long from, long[] dst, int off, int count) {
    if (fortran) {
      for (int i = 0; i < count; i++) {
        dst[off + i] = extend(rawBits(from + i));
      }
      return;
    }
    if (from < 0 || from > size - count) {
      throw new IndexOutOfBoundsException(
          "tensor '" + name + "': elements [" + from + ", +" + count + ") outside [0, " + size + ")");
    }
    int width = dtype.itemSize();
    boolean signed = dtype == DType.INT8 || dtype == DType.INT16 || dtype == DType.INT32;
    data.forEachRun(from * width, count, width, order, (bytes, first, n) -> {
      int at = off + first;
      switch (width) {
        case 8:
          bytes.asLongBuffer().get(dst, at, n);
          break;
        case 4:
          IntBuffer ints = bytes.asIntBuffer();
          for (int i = 0; i < n; i++) {
            dst[at + i] = signed ? ints.get(i) : ints.get(i) & 0xFFFFFFFFL;
          }
          break;
        case 2:
          ShortBuffer shorts = bytes.asShortBuffer();
          for (int i = 0; i < n; i++) {
            dst[at + i] = signed ? shorts.get(i) : shorts.get(i) & 0xFFFFL;
          }
          break;
        default:
          for (int i = 0; i < n; i++) {
            dst[at + i] = signed ? bytes.get(i) : bytes.get(i) & 0xFFL;
          }
      }
    });
  }

  /** Raw (zero-extended) bits to the value {@link #widened} gives. */
  private long extend(long bits) {
    switch (dtype) {
      case INT8:
        return (byte) bits;
      case INT16:
        return (short) bits;
      case INT32:
        return (int) bits;
      default:
        return bits;
    }
  }

  /** Receives blocks of widened values in C order. */
  private interface Block {
    void accept(int from, long[] values, int count);
  }

  /** Elements decoded per block by the bulk accessors: 16 KiB of longs, stays in L1 cache. */
  private static final int BLOCK = 2048;

  /** Feeds all {@code n} elements to {@code block}, {@link #BLOCK} at a time, from one buffer. */
  private void forEachBlock(int n, Block block) {
    long[] values = new long[Math.min(BLOCK, n)];
    for (int from = 0; from < n; from += BLOCK) {
      int count = Math.min(BLOCK, n - from);
      widened(from, values, 0, count);
      block.accept(from, values, count);
    }
  }

  /**
   * Smallest and largest widened value that is this dtype's integer as is: BOOL is 0 or 1, UINT64
   * bits above Long.MAX_VALUE read as negative. The bulk accessors pass a value outside this range
   * (or outside their target's) to the element-by-element path, which throws the exact error.
   */
  private long lowest() {
    return dtype == DType.BOOL || dtype == DType.UINT64 ? 0 : Long.MIN_VALUE;
  }

  private long highest() {
    return dtype == DType.BOOL ? 1 : Long.MAX_VALUE;
  }

  @Override
  public long[] toLongArray() {
    lifetime.check(name);
    requireIntegral("toLongArray");
    long[] out = new long[arrayLength("toLongArray")];
    widened(0, out, 0, out.length);
    long lo = lowest();
    long hi = highest();
    if (lo != Long.MIN_VALUE || hi != Long.MAX_VALUE) {
      for (int i = 0; i < out.length; i++) {
        if (out[i] < lo || out[i] > hi) {
          out[i] = integral(i, "int64"); // throws, naming the first misfit
        }
      }
    }
    return out;
  }

  private int intExact(long flat) {
    if (dtype == DType.UINT64) {
      long bits = rawBits(flat);
      if (bits < 0 || bits > Integer.MAX_VALUE) {
        throw misfit(flat, Long.toUnsignedString(bits), "int32");
      }
      return (int) bits;
    }
    long v = integral(flat, "int32");
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw misfit(flat, Long.toString(v), "int32");
    }
    return (int) v;
  }

  /**
   * Narrows a block of widened values (C-order elements {@code from...}) into {@code dst[off...]},
   * each checked; the first misfit goes to the element-by-element path, which throws for it.
   */
  private void narrowBlock(int from, long[] values, int count, int[] dst, int off) {
    long lo = Math.max(lowest(), Integer.MIN_VALUE);
    long hi = Math.min(highest(), Integer.MAX_VALUE);
    for (int i = 0; i < count; i++) {
      long v = values[i];
      dst[off + i] = v < lo || v > hi ? intExact(from + i) : (int) v;
    }
  }

  @Override
  public int[] toIntArrayExact() {
    lifetime.check(name);
    requireIntegral("toIntArrayExact");
    int[] out = new int[arrayLength("toIntArrayExact")];
    forEachBlock(out.length, (from, values, count) -> narrowBlock(from, values, count, out, from));
    return out;
  }

  @Override
  public IntBuffer asIntBufferExact() {
    lifetime.check(name);
    requireIntegral("asIntBufferExact");
    int n = arrayLength("asIntBufferExact");
    if (n > Integer.MAX_VALUE / 4) {
      throw refuse("it has " + n + " elements, more than one int buffer holds");
    }
    IntBuffer out = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder()).asIntBuffer();
    int[] ints = new int[Math.min(BLOCK, n)];
    forEachBlock(n, (from, values, count) -> {
      narrowBlock(from, values, count, ints, 0);
      out.put(from, ints, 0, count);
    });
    return out;
  }

  @Override
  public LongBuffer asLongBuffer() {
    lifetime.check(name);
    requireIntegral("asLongBuffer");
    int n = arrayLength("asLongBuffer");
    if (n > Integer.MAX_VALUE / 8) {
      throw refuse("it has " + n + " elements, more than one long buffer holds");
    }
    LongBuffer out = ByteBuffer.allocateDirect(n * 8).order(ByteOrder.nativeOrder()).asLongBuffer();
    long lo = lowest();
    long hi = highest();
    forEachBlock(n, (from, values, count) -> {
      for (int i = 0; i < count; i++) {
        if (values[i] < lo || values[i] > hi) {
          values[i] = integral(from + i, "int64"); // throws, naming the first misfit
        }
      }
      out.put(from, values, 0, count);
    });
    return out;
  }

  /** Element {@code flat} as an exact float (the element-by-element path). */
  private float exactFloat(long flat) {
    if (!dtype.isIntegral()) {
      return (float) floating(flat);
    }
    if (dtype == DType.UINT64 && rawBits(flat) < 0) {
      long bits = rawBits(flat);
      if (Long.numberOfTrailingZeros(bits) < 40) {
        throw misfit(flat, Long.toUnsignedString(bits), "float32 (exactly)");
      }
      return (float) ((bits >>> 11) * 2048.0);
    }
    long v = integral(flat, "float32 (exactly)");
    if (!exactInFloat(v)) {
      throw misfit(flat, Long.toString(v), "float32 (exactly)");
    }
    return v;
  }

  @Override
  public float[] toFloatArray() {
    lifetime.check(name);
    if (dtype == DType.FLOAT64) {
      throw refuse("toFloatArray would round float64 values; use toDoubleArray");
    }
    float[] out = new float[arrayLength("toFloatArray")];
    boolean integral = dtype.isIntegral();
    long lo = lowest();
    long hi = highest();
    forEachBlock(out.length, (from, values, count) -> {
      for (int i = 0; i < count; i++) {
        long v = values[i];
        if (!integral) {
          out[from + i] = (float) fromBits(v);
        } else if (v < lo || v > hi || !exactInFloat(v)) {
          out[from + i] = exactFloat(from + i); // exact after all (large UINT64), or throws
        } else {
          out[from + i] = v;
        }
      }
    });
    return out;
  }

  @Override
  public double[] toDoubleArray() {
    lifetime.check(name);
    double[] out = new double[arrayLength("toDoubleArray")];
    boolean integral = dtype.isIntegral();
    long lo = lowest();
    long hi = highest();
    forEachBlock(out.length, (from, values, count) -> {
      for (int i = 0; i < count; i++) {
        long v = values[i];
        if (!integral) {
          out[from + i] = fromBits(v);
        } else if (v < lo || v > hi || !exactInDouble(v)) {
          out[from + i] = exactDouble(from + i); // exact after all (large UINT64), or throws
        } else {
          out[from + i] = v;
        }
      }
    });
    return out;
  }
}
