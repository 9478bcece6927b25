package io.jvmready.onnxruntime;

import ai.onnxruntime.OnnxMap;
import ai.onnxruntime.OnnxSequence;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.jvmready.IntegerWidthException;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The outputs of one {@link ModelRunner#run}, typed. Values are copied out of ONNX Runtime when the
 * run finishes, so a {@code Result} holds no native memory: {@link #close()} only marks it closed,
 * and it may be closed right away or kept (it is AutoCloseable so code written with
 * try-with-resources keeps working if that ever changes).
 *
 * <p>Tensor outputs are flat arrays in C (row-major) order plus {@link #shape(String)}. Accessors
 * widen freely ({@link #longs} takes any integer type) and never narrow silently ({@link
 * #intsExact} checks every value, {@link #floats} refuses a double output). Scikit-learn's ZipMap
 * output (a sequence of maps) comes back as {@code List<Map<Long, Float>>} from {@link #zipMap} or
 * {@code List<Map<String, Float>>} from {@link #zipMapStrings}, each map ordered by key.
 */
public final class Result implements AutoCloseable {
  /** One copied output: a flat array (tensor) or a list of maps (sequence of maps). */
  private record Value(String type, String elementType, long[] shape, Object data) {}

  private final Map<String, Value> values;
  private boolean closed;

  private Result(Map<String, Value> values) {
    this.values = values;
  }

  /** Copies every output of {@code r} (declared in {@code specs}) into Java memory. */
  static Result copyOf(OrtSession.Result r, Map<String, IoSpec> specs) throws OrtException {
    Map<String, Value> m = new LinkedHashMap<>();
    for (Map.Entry<String, OnnxValue> e : r) {
      IoSpec spec = specs.get(e.getKey());
      m.put(e.getKey(), copy(e.getKey(), spec, e.getValue()));
    }
    return new Result(Collections.unmodifiableMap(m));
  }

  private static Value copy(String name, IoSpec spec, OnnxValue v) throws OrtException {
    if (v instanceof OnnxTensor t) {
      TensorInfo info = t.getInfo();
      String et = Specs.elementName(info.onnxType);
      return new Value("tensor(" + et + ")", et, info.getShape(), tensorData(name, et, t));
    }
    if (v instanceof OnnxSequence s) {
      List<? extends OnnxValue> items = s.getValue();
      List<Map<Object, Object>> maps = new ArrayList<>(items.size());
      for (OnnxValue item : items) {
        if (!(item instanceof OnnxMap map)) {
          String type = spec != null ? spec.onnxType() : "a sequence of tensors";
          return new Value(type, spec != null ? spec.elementType() : "", new long[0], null);
        }
        maps.add(Collections.unmodifiableMap(new TreeMap<Object, Object>(map.getValue())));
      }
      String type = spec != null ? spec.onnxType() : "seq(map)";
      String et = spec != null ? spec.elementType() : "";
      return new Value(type, et, new long[] {maps.size()}, Collections.unmodifiableList(maps));
    }
    if (v instanceof OnnxMap map) {
      List<Map<Object, Object>> one =
          List.of(Collections.unmodifiableMap(new TreeMap<Object, Object>(map.getValue())));
      String type = spec != null ? spec.onnxType() : "map";
      return new Value(type, spec != null ? spec.elementType() : "", new long[0], one);
    }
    return new Value(v.getType().toString(), "", new long[0], null);
  }

  private static Object tensorData(String name, String et, OnnxTensor t) throws OrtException {
    long n = t.getInfo().getNumElements();
    if (n > Given.MAX_ELEMENTS) {
      throw new IllegalStateException("output '" + name + "': too many elements for a Java array");
    }
    int size = (int) n;
    switch (et) {
      case "int64":
        {
          LongBuffer b = t.getLongBuffer();
          if (owned(b, size)) {
            return b.array(); // ORT already copied the tensor into this fresh array
          }
          long[] a = new long[size];
          b.get(a);
          return a;
        }
      case "int32":
        {
          IntBuffer b = t.getIntBuffer();
          if (owned(b, size)) {
            return b.array(); // ORT already copied the tensor into this fresh array
          }
          int[] a = new int[size];
          b.get(a);
          return a;
        }
      case "int16":
        {
          short[] a = new short[size];
          t.getShortBuffer().get(a);
          return a;
        }
      case "int8":
        {
          byte[] a = new byte[size];
          t.getByteBuffer().get(a);
          return a;
        }
      case "uint8":
      case "uint16":
      case "uint32":
        {
          // Widened to long at once: unsigned values then read as what they are.
          ByteBuffer b = t.getByteBuffer().order(ByteOrder.nativeOrder());
          long[] a = new long[size];
          for (int i = 0; i < size; i++) {
            a[i] =
                et.equals("uint8")
                    ? Byte.toUnsignedLong(b.get(i))
                    : et.equals("uint16")
                        ? Short.toUnsignedLong(b.getShort(2 * i))
                        : Integer.toUnsignedLong(b.getInt(4 * i));
          }
          return a;
        }
      case "bool":
        {
          ByteBuffer b = t.getByteBuffer();
          boolean[] a = new boolean[size];
          for (int i = 0; i < size; i++) {
            a[i] = b.get(i) != 0;
          }
          return a;
        }
      case "float":
      case "float16":
      case "bfloat16":
        {
          FloatBuffer b = t.getFloatBuffer();
          if (owned(b, size)) {
            return b.array(); // ORT already copied the tensor into this fresh array
          }
          float[] a = new float[size];
          b.get(a);
          return a;
        }
      case "double":
        {
          DoubleBuffer b = t.getDoubleBuffer();
          if (owned(b, size)) {
            return b.array(); // ORT already copied the tensor into this fresh array
          }
          double[] a = new double[size];
          b.get(a);
          return a;
        }
      case "string":
        {
          String[] a = new String[size];
          flattenStrings(t.getValue(), a, new int[] {0});
          return a;
        }
      default:
        return null; // readable by name and type only; accessors explain
    }
  }

  /** True if {@code b} is exactly a fresh heap array of {@code size} values (no copy needed). */
  private static boolean owned(java.nio.Buffer b, int size) {
    return b.hasArray()
        && b.arrayOffset() == 0
        && b.position() == 0
        && b.remaining() == size
        && java.lang.reflect.Array.getLength(b.array()) == size;
  }

  private static void flattenStrings(Object v, String[] out, int[] pos) {
    if (v instanceof String s) {
      out[pos[0]++] = s;
    } else if (v != null && v.getClass().isArray()) {
      for (int i = 0, n = Array.getLength(v); i < n; i++) {
        flattenStrings(Array.get(v, i), out, pos);
      }
    }
  }

  /** The output names, in the order ONNX Runtime returned them (model order). */
  public Set<String> names() {
    return values.keySet();
  }

  /**
   * The shape of a tensor output (a copy); for a sequence of maps, {@code [number of maps]}.
   *
   * @param name the output name
   * @return the dimensions
   */
  public long[] shape(String name) {
    return get(name).shape.clone();
  }

  /**
   * The ONNX type of an output, e.g. {@code tensor(int64)} or {@code
   * seq(map(int64,tensor(float)))}.
   *
   * @param name the output name
   * @return the type
   */
  public String type(String name) {
    return get(name).type;
  }

  /**
   * The element type of an output: {@code int64}, {@code float}... (for a sequence of maps, the
   * map value type).
   *
   * @param name the output name
   * @return the element type
   */
  public String elementType(String name) {
    return get(name).elementType;
  }

  /**
   * An integer tensor output widened to long, flat C order. Works for every integer width (and
   * unsigned types, read as unsigned).
   *
   * @param name the output name
   * @return a new array
   * @throws IllegalArgumentException if the output is not an integer tensor
   */
  public long[] longs(String name) {
    Value v = get(name);
    Object d = v.data;
    if (d instanceof long[] a) {
      return a.clone();
    }
    long[] out;
    if (d instanceof int[] a) {
      out = new long[a.length];
      for (int i = 0; i < a.length; i++) {
        out[i] = a[i];
      }
    } else if (d instanceof short[] a) {
      out = new long[a.length];
      for (int i = 0; i < a.length; i++) {
        out[i] = a[i];
      }
    } else if (d instanceof byte[] a) {
      out = new long[a.length];
      for (int i = 0; i < a.length; i++) {
        out[i] = a[i];
      }
    } else {
      throw wrongAccessor(name, v, "longs()", "an integer tensor");
    }
    return out;
  }

  /**
   * An integer tensor output as int, each value checked, flat C order.
   *
   * @param name the output name
   * @return a new array
   * @throws IntegerWidthException naming the output, the flat index and the value, for the first
   *     value outside the int range
   * @throws IllegalArgumentException if the output is not an integer tensor
   */
  public int[] intsExact(String name) {
    Value v = get(name);
    if (v.data instanceof int[] a) {
      return a.clone();
    }
    if (!(v.data instanceof long[] || v.data instanceof short[] || v.data instanceof byte[])) {
      throw wrongAccessor(name, v, "intsExact()", "an integer tensor");
    }
    long[] l = longs(name);
    int[] out = new int[l.length];
    for (int i = 0; i < l.length; i++) {
      if (l[i] < Integer.MIN_VALUE || l[i] > Integer.MAX_VALUE) {
        throw new IntegerWidthException(name, i, Long.toString(l[i]), "int32");
      }
      out[i] = (int) l[i];
    }
    return out;
  }

  /**
   * A float tensor output (float16 and bfloat16 widened), flat C order. A double output is
   * refused: rounding it is the caller's decision ({@link #doubles}).
   *
   * @param name the output name
   * @return a new array
   * @throws IllegalArgumentException if the output is not a float tensor
   */
  public float[] floats(String name) {
    Value v = get(name);
    if (v.data instanceof float[] a) {
      return a.clone();
    }
    throw wrongAccessor(
        name,
        v,
        "floats()",
        v.data instanceof double[]
            ? "a float tensor (use doubles() for double)"
            : "a float tensor");
  }

  /**
   * A float or double tensor output as double (float widened exactly), flat C order.
   *
   * @param name the output name
   * @return a new array
   * @throws IllegalArgumentException if the output is not a floating-point tensor
   */
  public double[] doubles(String name) {
    Value v = get(name);
    if (v.data instanceof double[] a) {
      return a.clone();
    }
    if (v.data instanceof float[] a) {
      double[] out = new double[a.length];
      for (int i = 0; i < a.length; i++) {
        out[i] = a[i];
      }
      return out;
    }
    throw wrongAccessor(name, v, "doubles()", "a float or double tensor");
  }

  /**
   * A bool tensor output, flat C order.
   *
   * @param name the output name
   * @return a new array
   * @throws IllegalArgumentException if the output is not a bool tensor
   */
  public boolean[] booleans(String name) {
    Value v = get(name);
    if (v.data instanceof boolean[] a) {
      return a.clone();
    }
    throw wrongAccessor(name, v, "booleans()", "a bool tensor");
  }

  /**
   * A string tensor output (e.g. class labels), flat C order.
   *
   * @param name the output name
   * @return a new array
   * @throws IllegalArgumentException if the output is not a string tensor
   */
  public String[] strings(String name) {
    Value v = get(name);
    if (v.data instanceof String[] a) {
      return a.clone();
    }
    throw wrongAccessor(name, v, "strings()", "a string tensor");
  }

  /**
   * A sequence-of-maps output with int64 keys, as scikit-learn's ZipMap writes class
   * probabilities: one map per sample, class label to probability, ordered by label.
   *
   * @param name the output name
   * @return an unmodifiable list of unmodifiable maps
   * @throws IllegalArgumentException if the output is not a sequence of int64-keyed float maps
   */
  public List<Map<Long, Float>> zipMap(String name) {
    return maps(name, Long.class, "zipMap()", "seq(map(int64,tensor(float)))");
  }

  /**
   * A sequence-of-maps output with string keys (ZipMap over string class labels).
   *
   * @param name the output name
   * @return an unmodifiable list of unmodifiable maps, each ordered by key
   * @throws IllegalArgumentException if the output is not a sequence of string-keyed float maps
   */
  public List<Map<String, Float>> zipMapStrings(String name) {
    return maps(name, String.class, "zipMapStrings()", "seq(map(string,tensor(float)))");
  }

  private <K> List<Map<K, Float>> maps(
      String name, Class<K> keyClass, String accessor, String want) {
    Value v = get(name);
    if (!(v.data instanceof List<?> list)) {
      throw wrongAccessor(name, v, accessor, want);
    }
    List<Map<K, Float>> out = new ArrayList<>(list.size());
    for (Object o : list) {
      Map<?, ?> m = (Map<?, ?>) o;
      Map<K, Float> typed = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!keyClass.isInstance(e.getKey()) || !(e.getValue() instanceof Float f)) {
          throw wrongAccessor(name, v, accessor, want);
        }
        typed.put(keyClass.cast(e.getKey()), f);
      }
      out.add(Collections.unmodifiableMap(typed));
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * The copied data of an output as stored: a flat array of the tensor's Java type (unsigned
   * types widened to {@code long[]}, float16/bfloat16 to {@code float[]}), or for a sequence of
   * maps a {@code List<Map<?, ?>>} (each map ordered by key); {@code null} for kinds not copied.
   */
  Object data(String name) {
    return get(name).data;
  }

  private Value get(String name) {
    if (closed) {
      throw new IllegalStateException("result is closed");
    }
    Value v = values.get(name);
    if (v == null) {
      throw new IllegalArgumentException(
          "no output '" + name + "'; outputs: " + String.join(", ", values.keySet()));
    }
    return v;
  }

  private static IllegalArgumentException wrongAccessor(
      String name, Value v, String accessor, String want) {
    return new IllegalArgumentException(
        "output '"
            + name
            + "' is "
            + v.type
            + " "
            + Arrays.toString(v.shape)
            + "; "
            + accessor
            + " reads "
            + want);
  }

  /** Marks the result closed; values were already copied out of ONNX Runtime. */
  @Override
  public void close() {
    closed = true;
  }
}
