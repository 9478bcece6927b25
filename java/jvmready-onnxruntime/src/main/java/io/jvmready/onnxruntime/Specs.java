package io.jvmready.onnxruntime;

import ai.onnxruntime.MapInfo;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.SequenceInfo;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Turns ONNX Runtime's {@link NodeInfo} into {@link IoSpec}s with ONNX type names. */
final class Specs {
  private static final String TENSOR_TYPE_PREFIX = "ONNX_TENSOR_ELEMENT_DATA_TYPE_";

  private Specs() {}

  static IoSpec of(NodeInfo node) {
    ValueInfo info = node.getInfo();
    String name = node.getName();
    if (info instanceof TensorInfo t) {
      String et = elementName(t.onnxType);
      long[] shape = t.getShape();
      String[] names = t.getDimensionNames();
      List<String> dims = new ArrayList<>();
      for (int i = 0; i < shape.length; i++) {
        dims.add(names != null && i < names.length && names[i] != null ? names[i] : "");
      }
      return new IoSpec(
          name, IoSpec.Kind.TENSOR, et, "", shape, dims, "tensor(" + et + ")");
    }
    if (info instanceof SequenceInfo s) {
      if (s.isSequenceOfMaps()) {
        MapInfo m = s.mapInfo;
        String k = javaTypeName(m.keyType);
        String v = javaTypeName(m.valueType);
        return new IoSpec(
            name,
            IoSpec.Kind.SEQUENCE,
            v,
            k,
            new long[0],
            List.of(),
            "seq(map(" + k + ",tensor(" + v + ")))");
      }
      String e = javaTypeName(s.sequenceType);
      return new IoSpec(
          name, IoSpec.Kind.SEQUENCE, e, "", new long[0], List.of(), "seq(tensor(" + e + "))");
    }
    if (info instanceof MapInfo m) {
      String k = javaTypeName(m.keyType);
      String v = javaTypeName(m.valueType);
      return new IoSpec(
          name, IoSpec.Kind.MAP, v, k, new long[0], List.of(), "map(" + k + ",tensor(" + v + "))");
    }
    throw new IllegalStateException(
        name + ": value kind ONNX Runtime Java does not describe: " + info);
  }

  /** {@code ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64} to {@code int64}. */
  static String elementName(TensorInfo.OnnxTensorType t) {
    String n = t.name();
    if (n.startsWith(TENSOR_TYPE_PREFIX)) {
      n = n.substring(TENSOR_TYPE_PREFIX.length());
    }
    return n.toLowerCase(Locale.ROOT);
  }

  /** {@link OnnxJavaType#INT64} to {@code int64}, {@code FLOAT} to {@code float}. */
  static String javaTypeName(OnnxJavaType t) {
    return t.name().toLowerCase(Locale.ROOT);
  }
}
