package io.jvmready.onnxruntime;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a model declares for one input or output: its name, kind, element type and shape.
 *
 * <p>For a {@link Kind#TENSOR} the element type is the tensor's ({@code "int64"}, {@code
 * "float"}...) and the shape is declared with {@code -1} for dynamic dimensions, whose symbolic
 * names (e.g. {@code "batch"}) are in {@link #dimNames()} ({@code ""} where unnamed or fixed).
 * For a {@link Kind#SEQUENCE} or {@link Kind#MAP} the element type is the value type (the map's
 * value type for a sequence of maps, as scikit-learn's ZipMap produces), the key type is set for
 * maps and sequences of maps, and the shape is empty.
 *
 * @param name the input or output name
 * @param kind tensor, sequence or map
 * @param elementType ONNX element type name: {@code "int64"}, {@code "int32"}, {@code "float"},
 *     {@code "double"}, {@code "bool"}, {@code "string"}...
 * @param keyType the map key type ({@code "int64"} or {@code "string"}); {@code ""} when not a map
 * @param shape declared dimensions, {@code -1} where dynamic; empty for scalars and non-tensors
 * @param dimNames symbolic dimension names, same length as {@code shape}
 * @param onnxType the full ONNX type, e.g. {@code "tensor(int64)"} or {@code
 *     "seq(map(int64,tensor(float)))"}
 */
public record IoSpec(
    String name,
    Kind kind,
    String elementType,
    String keyType,
    long[] shape,
    List<String> dimNames,
    String onnxType) {

  /** What kind of value an input or output holds. */
  public enum Kind {
    /** A dense tensor. */
    TENSOR,
    /** A sequence (of tensors or of maps). */
    SEQUENCE,
    /** A map from int64 or string keys to values. */
    MAP
  }

  /** Validates and copies the arguments so the record stays immutable. */
  public IoSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(elementType, "elementType");
    Objects.requireNonNull(keyType, "keyType");
    Objects.requireNonNull(onnxType, "onnxType");
    shape = shape.clone();
    dimNames = List.copyOf(dimNames);
    if (dimNames.size() != shape.length) {
      throw new IllegalArgumentException("dimNames and shape differ in length");
    }
  }

  /** The declared shape (a copy), {@code -1} where dynamic. */
  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Number of declared dimensions. */
  public int rank() {
    return shape.length;
  }

  /** True for a sequence whose elements are maps: scikit-learn's ZipMap output. */
  public boolean isSequenceOfMaps() {
    return kind == Kind.SEQUENCE && !keyType.isEmpty();
  }

  /**
   * The declared shape as users read it, dynamic dimensions by name: {@code [batch, 4]} ({@code ?}
   * for an unnamed dynamic dimension); {@code []} for a scalar or a non-tensor.
   */
  public String shapeString() {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < shape.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      if (shape[i] >= 0) {
        sb.append(shape[i]);
      } else {
        String n = dimNames.get(i);
        sb.append(n.isEmpty() ? "?" : n);
      }
    }
    return sb.append(']').toString();
  }

  /** The declaration as messages quote it: {@code tensor(int64) [batch, 4]}. */
  public String describe() {
    return kind == Kind.TENSOR ? onnxType + " " + shapeString() : onnxType;
  }

  /**
   * The Java type a caller passes (inputs) or gets back (outputs) for this value, e.g. {@code
   * long[][]}, {@code float[]} or {@code List<Map<Long, Float>>}; a flat array type plus the shape
   * is always accepted too.
   */
  public String javaType() {
    switch (kind) {
      case TENSOR:
        return JavaTypes.elementJavaName(elementType) + "[]".repeat(Math.max(1, shape.length));
      case SEQUENCE:
        if (isSequenceOfMaps()) {
          return "List<Map<"
              + JavaTypes.boxedName(keyType)
              + ", "
              + JavaTypes.boxedName(elementType)
              + ">>";
        }
        return "List<" + JavaTypes.elementJavaName(elementType) + "[]>";
      case MAP:
        return "Map<"
            + JavaTypes.boxedName(keyType)
            + ", "
            + JavaTypes.boxedName(elementType)
            + ">";
      default:
        throw new AssertionError(kind);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IoSpec s
        && name.equals(s.name)
        && kind == s.kind
        && elementType.equals(s.elementType)
        && keyType.equals(s.keyType)
        && Arrays.equals(shape, s.shape)
        && dimNames.equals(s.dimNames)
        && onnxType.equals(s.onnxType);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        name, kind, elementType, keyType, Arrays.hashCode(shape), dimNames, onnxType);
  }

  @Override
  public String toString() {
    return name + ": " + describe();
  }
}
