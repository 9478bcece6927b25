package io.jvmready.onnxruntime;

/** Names of the Java types that carry each ONNX element type (for messages and signatures). */
final class JavaTypes {
  private JavaTypes() {}

  /** The primitive (or String) Java type holding one element of {@code onnxElementType}. */
  static String elementJavaName(String onnxElementType) {
    switch (onnxElementType) {
      case "int64":
      case "uint32":
        return "long";
      case "int32":
      case "uint16":
        return "int";
      case "int16":
        return "short";
      case "int8":
      case "uint8":
        return "byte";
      case "float":
      case "float16":
      case "bfloat16":
        return "float";
      case "double":
        return "double";
      case "bool":
        return "boolean";
      case "string":
        return "String";
      default:
        return onnxElementType;
    }
  }

  /** The boxed Java type of one element, for generic signatures ({@code Long}, {@code Float}). */
  static String boxedName(String onnxElementType) {
    String p = elementJavaName(onnxElementType);
    switch (p) {
      case "long":
        return "Long";
      case "int":
        return "Integer";
      case "short":
        return "Short";
      case "byte":
        return "Byte";
      case "float":
        return "Float";
      case "double":
        return "Double";
      case "boolean":
        return "Boolean";
      default:
        return p;
    }
  }
}
