package io.jvmready;

/** Element types Python writes, with their size and the names npy and safetensors use for them. */
public enum DType {
  /** One byte, 0 or 1. */
  BOOL(1, "BOOL", true),
  /** Signed 8-bit integer. */
  INT8(1, "I8", true),
  /** Unsigned 8-bit integer. */
  UINT8(1, "U8", true),
  /** Signed 16-bit integer. */
  INT16(2, "I16", true),
  /** Unsigned 16-bit integer. */
  UINT16(2, "U16", true),
  /** Signed 32-bit integer: Java {@code int}. */
  INT32(4, "I32", true),
  /** Unsigned 32-bit integer. */
  UINT32(4, "U32", true),
  /** Signed 64-bit integer: Java {@code long}, NumPy's default integer. */
  INT64(8, "I64", true),
  /** Unsigned 64-bit integer; values above {@code Long.MAX_VALUE} do not fit a Java long. */
  UINT64(8, "U64", true),
  /** IEEE half precision. */
  FLOAT16(2, "F16", false),
  /** bfloat16: the top half of a float32. */
  BFLOAT16(2, "BF16", false),
  /** IEEE single precision: Java {@code float}. */
  FLOAT32(4, "F32", false),
  /** IEEE double precision: Java {@code double}. */
  FLOAT64(8, "F64", false);

  private final int itemSize;
  private final String safetensorsName;
  private final boolean integral;

  DType(int itemSize, String safetensorsName, boolean integral) {
    this.itemSize = itemSize;
    this.safetensorsName = safetensorsName;
    this.integral = integral;
  }

  /** Bytes per element. */
  public int itemSize() {
    return itemSize;
  }

  /** The dtype string safetensors uses ({@code "I64"}, {@code "F32"}...). */
  public String safetensorsName() {
    return safetensorsName;
  }

  /** True for bool and integer types. */
  public boolean isIntegral() {
    return integral;
  }
}
