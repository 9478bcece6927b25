package io.jvmready.onnxruntime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.function.IntToDoubleFunction;
import java.util.function.IntToLongFunction;

/**
 * Converts one caller value into the ONNX Runtime tensor a model input declares: checks the shape,
 * widens integers, range-checks narrowing, and refuses integer/float mixes.
 */
final class InputConverter {
  private InputConverter() {}

  /**
   * The tensor for {@code spec} holding {@code value}; the caller closes it.
   *
   * @throws ModelInputException wrong kind, type or shape
   * @throws InputWidthException a value does not fit the declared integer type
   */
  static OnnxTensor toTensor(OrtEnvironment env, IoSpec spec, Object value) {
    String name = spec.name();
    if (spec.kind() != IoSpec.Kind.TENSOR) {
      throw new ModelInputException(
          name,
          "input '"
              + name
              + "': model declares "
              + spec.describe()
              + "; ModelRunner feeds tensor inputs only");
    }
    Given g = Given.of(name, value);
    long[] shape = checkShape(spec, g);
    try {
      return create(env, spec, g, shape);
    } catch (OrtException e) {
      throw new ModelRunException(
          "input '" + name + "': ONNX Runtime cannot create the tensor: " + e.getMessage(), e);
    }
  }

  /** The shape to create: the given one, checked against the declaration. */
  private static long[] checkShape(IoSpec spec, Given g) {
    long[] declared = spec.shape();
    long[] given = g.shape.clone();
    if (declared.length == 0 && given.length > 0) {
      // ONNX Runtime reports "no shape declared" like a scalar: let it check.
      return given;
    }
    boolean ok = declared.length == given.length;
    boolean afterZero = false;
    for (int i = 0; ok && i < given.length; i++) {
      if (afterZero) {
        given[i] = declared[i] >= 0 ? declared[i] : 0; // an empty Java array has no inner lengths
      } else if (declared[i] >= 0 && declared[i] != given[i]) {
        ok = false;
      }
      afterZero |= given[i] == 0;
    }
    if (!ok) {
      throw new ModelInputException(
          spec.name(),
          "input '"
              + spec.name()
              + "': model declares "
              + spec.describe()
              + "; given "
              + g.description);
    }
    return given;
  }

  private static OnnxTensor create(OrtEnvironment env, IoSpec spec, Given g, long[] shape)
      throws OrtException {
    String et = spec.elementType();
    switch (et) {
      case "int64":
        return OnnxTensor.createTensor(env, toLongs(spec, g), shape);
      case "int32":
        return OnnxTensor.createTensor(env, toInts(spec, g), shape);
      case "int16":
        {
          IntToLongFunction f = integers(spec, g);
          short[] out = new short[g.size()];
          for (int i = 0; i < out.length; i++) {
            out[i] = (short) checked(spec, i, f.applyAsLong(i), Short.MIN_VALUE, Short.MAX_VALUE);
          }
          return OnnxTensor.createTensor(env, ShortBuffer.wrap(out), shape);
        }
      case "int8":
      case "uint8":
        {
          IntToLongFunction f = integers(spec, g);
          boolean unsigned = et.equals("uint8");
          long min = unsigned ? 0 : Byte.MIN_VALUE;
          long max = unsigned ? 255 : Byte.MAX_VALUE;
          byte[] out = new byte[g.size()];
          for (int i = 0; i < out.length; i++) {
            out[i] = (byte) checked(spec, i, f.applyAsLong(i), min, max);
          }
          return OnnxTensor.createTensor(
              env, ByteBuffer.wrap(out), shape, unsigned ? OnnxJavaType.UINT8 : OnnxJavaType.INT8);
        }
      case "float":
        return OnnxTensor.createTensor(env, toFloats(spec, g), shape);
      case "double":
        {
          IntToDoubleFunction f = floating(spec, g);
          if (g.data instanceof double[] a) {
            return OnnxTensor.createTensor(env, DoubleBuffer.wrap(a), shape);
          }
          if (g.data instanceof DoubleBuffer b) {
            return OnnxTensor.createTensor(env, b.slice(), shape);
          }
          double[] out = new double[g.size()];
          for (int i = 0; i < out.length; i++) {
            out[i] = f.applyAsDouble(i); // float to double: exact
          }
          return OnnxTensor.createTensor(env, DoubleBuffer.wrap(out), shape);
        }
      case "bool":
        {
          if (!(g.data instanceof boolean[] a)) {
            throw typeMismatch(spec, g, "only boolean values feed a bool input");
          }
          byte[] out = new byte[a.length];
          for (int i = 0; i < a.length; i++) {
            out[i] = (byte) (a[i] ? 1 : 0);
          }
          return OnnxTensor.createTensor(env, ByteBuffer.wrap(out), shape, OnnxJavaType.BOOL);
        }
      case "string":
        {
          if (!(g.data instanceof String[] a)) {
            throw typeMismatch(spec, g, "only String values feed a string input");
          }
          for (int i = 0; i < a.length; i++) {
            if (a[i] == null) {
              throw new ModelInputException(
                  spec.name(), "input '" + spec.name() + "': null string at flat index " + i);
            }
          }
          return OnnxTensor.createTensor(env, a, shape);
        }
      default:
        throw new ModelInputException(
            spec.name(),
            "input '"
                + spec.name()
                + "': model declares "
                + spec.describe()
                + "; ONNX Runtime Java cannot create "
                + spec.onnxType()
                + " inputs");
    }
  }

  private static LongBuffer toLongs(IoSpec spec, Given g) {
    if (g.data instanceof long[] a) {
      return LongBuffer.wrap(a);
    }
    if (g.data instanceof LongBuffer b) {
      return b.slice();
    }
    IntToLongFunction f = integers(spec, g);
    long[] out = new long[g.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = f.applyAsLong(i); // widening: every value fits
    }
    return LongBuffer.wrap(out);
  }

  private static IntBuffer toInts(IoSpec spec, Given g) {
    if (g.data instanceof int[] a) {
      return IntBuffer.wrap(a);
    }
    if (g.data instanceof IntBuffer b) {
      return b.slice();
    }
    IntToLongFunction f = integers(spec, g);
    int[] out = new int[g.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (int) checked(spec, i, f.applyAsLong(i), Integer.MIN_VALUE, Integer.MAX_VALUE);
    }
    return IntBuffer.wrap(out);
  }

  private static FloatBuffer toFloats(IoSpec spec, Given g) {
    if (g.data instanceof float[] a) {
      return FloatBuffer.wrap(a);
    }
    if (g.data instanceof FloatBuffer b) {
      return b.slice();
    }
    IntToDoubleFunction f = floating(spec, g);
    float[] out = new float[g.size()];
    for (int i = 0; i < out.length; i++) {
      double d = f.applyAsDouble(i);
      float x = (float) d; // documented: rounds to the nearest float
      if (Float.isInfinite(x) && !Double.isInfinite(d)) {
        throw new ModelInputException(
            spec.name(),
            "input '"
                + spec.name()
                + "': value "
                + d
                + " at flat index "
                + i
                + " is beyond the float range of "
                + spec.onnxType());
      }
      out[i] = x;
    }
    return FloatBuffer.wrap(out);
  }

  /** Element {@code i} as long, for integer data; refuses anything else. */
  private static IntToLongFunction integers(IoSpec spec, Given g) {
    Object d = g.data;
    if (d instanceof long[] a) {
      return i -> a[i];
    }
    if (d instanceof int[] a) {
      return i -> a[i];
    }
    if (d instanceof short[] a) {
      return i -> a[i];
    }
    if (d instanceof byte[] a) {
      return i -> a[i];
    }
    if (d instanceof LongBuffer b) {
      int p = b.position();
      return i -> b.get(p + i);
    }
    if (d instanceof IntBuffer b) {
      int p = b.position();
      return i -> b.get(p + i);
    }
    throw typeMismatch(
        spec,
        g,
        g.category == Given.Category.FLOAT32 || g.category == Given.Category.FLOAT64
            ? "floats are not converted to integers implicitly; round them in your code"
            : "only integer values feed an integer input");
  }

  /** Element {@code i} as double, for float data; refuses anything else. */
  private static IntToDoubleFunction floating(IoSpec spec, Given g) {
    Object d = g.data;
    if (d instanceof float[] a) {
      return i -> a[i];
    }
    if (d instanceof double[] a) {
      return i -> a[i];
    }
    if (d instanceof FloatBuffer b) {
      int p = b.position();
      return i -> b.get(p + i);
    }
    if (d instanceof DoubleBuffer b) {
      int p = b.position();
      return i -> b.get(p + i);
    }
    throw typeMismatch(
        spec,
        g,
        g.category == Given.Category.INTEGER
            ? "integers are not converted to float implicitly; convert them in your code"
            : "only float or double values feed a floating-point input");
  }

  private static long checked(IoSpec spec, int index, long v, long min, long max) {
    if (v < min || v > max) {
      throw new InputWidthException(
          spec.name(), index, Long.toString(v), spec.elementType(), spec.describe());
    }
    return v;
  }

  private static ModelInputException typeMismatch(IoSpec spec, Given g, String why) {
    return new ModelInputException(
        spec.name(),
        "input '"
            + spec.name()
            + "': model declares "
            + spec.describe()
            + "; given "
            + g.description
            + ": "
            + why);
  }
}
