package io.jvmready.onnxruntime;

import io.jvmready.DType;
import io.jvmready.Tensors;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the outputs of S runs and stacks each along a new leading axis, encoded for an npz: a
 * tensor output {@code y} as entry {@code y} in its ONNX dtype; a sequence-of-maps output {@code p}
 * as {@code p.keys} (int64 or strings) and {@code p.values} (float32), shape {@code [n, k]} per
 * run. Every run must give each output the same shape (and each map the same number of keys).
 */
final class OutputStack {
  /** Thrown when runs cannot be stacked; the message names the output. */
  static final class StackException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StackException(String message) {
      super(message);
    }
  }

  private static final class Column {
    final String elementType;
    final boolean maps;
    final long[] shape;
    final List<Object> runs = new ArrayList<>();
    final List<Object> keyRuns = new ArrayList<>();

    Column(String elementType, boolean maps, long[] shape) {
      this.elementType = elementType;
      this.maps = maps;
      this.shape = shape;
    }
  }

  private final Map<String, IoSpec> specs;
  private final Map<String, Column> columns = new LinkedHashMap<>();

  OutputStack(Map<String, IoSpec> outputs) {
    this.specs = outputs;
  }

  /** Adds the outputs of one run. */
  void add(Result r) {
    int run = columns.isEmpty() ? 0 : columns.values().iterator().next().runs.size();
    for (String name : r.names()) {
      Object data = r.data(name);
      IoSpec spec = specs.get(name);
      boolean maps = data instanceof List<?>;
      if (data == null || (maps && spec != null && spec.kind() == IoSpec.Kind.TENSOR)) {
        throw new StackException(
            "output '"
                + name
                + "' is "
                + r.type(name)
                + "; the npz runner writes tensors and sequences of maps only");
      }
      long[] shape;
      Object values;
      Object keys = null;
      if (maps) {
        List<?> list = (List<?>) data;
        int k = list.isEmpty() ? 0 : ((Map<?, ?>) list.get(0)).size();
        shape = new long[] {list.size(), k};
        boolean stringKeys = false;
        float[] v = new float[list.size() * k];
        Object[] ks = new Object[list.size() * k];
        int i = 0;
        for (Object o : list) {
          Map<?, ?> m = (Map<?, ?>) o;
          if (m.size() != k) {
            throw new StackException(
                "output '"
                    + name
                    + "': maps of "
                    + k
                    + " and "
                    + m.size()
                    + " keys cannot form one array");
          }
          for (Map.Entry<?, ?> e : m.entrySet()) {
            stringKeys = e.getKey() instanceof String;
            ks[i] = e.getKey();
            v[i++] = ((Number) e.getValue()).floatValue();
          }
        }
        values = v;
        if (stringKeys) {
          keys = Arrays.copyOf(ks, ks.length, String[].class);
        } else {
          long[] lk = new long[ks.length];
          for (int j = 0; j < ks.length; j++) {
            lk[j] = ((Number) ks[j]).longValue();
          }
          keys = lk;
        }
      } else {
        shape = r.shape(name);
        values = data;
      }
      Column c = columns.get(name);
      if (c == null) {
        c = new Column(maps ? "float" : r.elementType(name), maps, shape);
        columns.put(name, c);
      } else if (!Arrays.equals(c.shape, shape)) {
        throw new StackException(
            "output '"
                + name
                + "' has shape "
                + Arrays.toString(c.shape)
                + " in run 0 but "
                + Arrays.toString(shape)
                + " in run "
                + run
                + "; outputs of varying shape cannot be stacked");
      }
      c.runs.add(values);
      if (keys != null) {
        c.keyRuns.add(keys);
      }
    }
  }

  /** Writes every output into {@code out}; {@code stacked} adds the leading run axis. */
  void encode(NpzOutput out, boolean stacked) {
    for (Map.Entry<String, Column> e : columns.entrySet()) {
      Column c = e.getValue();
      long[] shape = c.shape;
      if (stacked) {
        shape = new long[c.shape.length + 1];
        shape[0] = c.runs.size();
        System.arraycopy(c.shape, 0, shape, 1, c.shape.length);
      }
      if (c.maps) {
        put(out, e.getKey() + ".values", "float", concat(c.runs), shape);
        Object keys = concat(c.keyRuns);
        put(out, e.getKey() + ".keys", keys instanceof String[] ? "string" : "int64", keys, shape);
      } else {
        put(out, e.getKey(), c.elementType, concat(c.runs), shape);
      }
    }
  }

  private static Object concat(List<Object> runs) {
    if (runs.size() == 1) {
      return runs.get(0);
    }
    int total = 0;
    for (Object r : runs) {
      total = Math.addExact(total, Array.getLength(r));
    }
    Object out = Array.newInstance(runs.get(0).getClass().getComponentType(), total);
    int pos = 0;
    for (Object r : runs) {
      int n = Array.getLength(r);
      System.arraycopy(r, 0, out, pos, n);
      pos += n;
    }
    return out;
  }

  /** One entry in the output's ONNX dtype (float16/bfloat16 are written widened to float32). */
  private static void put(
      NpzOutput out, String name, String elementType, Object data, long[] shape) {
    if (data instanceof String[] s) {
      out.putStrings(name, s, shape);
      return;
    }
    DType dtype;
    ByteBuffer b;
    int n = Array.getLength(data);
    switch (elementType) {
      case "int64":
        dtype = DType.INT64;
        b = le(n, 8);
        b.asLongBuffer().put((long[]) data);
        break;
      case "int32":
        dtype = DType.INT32;
        b = le(n, 4);
        b.asIntBuffer().put((int[]) data);
        break;
      case "int16":
        dtype = DType.INT16;
        b = le(n, 2);
        b.asShortBuffer().put((short[]) data);
        break;
      case "int8":
        dtype = DType.INT8;
        b = le(n, 1);
        b.put((byte[]) data).flip();
        break;
      case "uint8":
      case "uint16":
      case "uint32":
        {
          // Result widened these to long; each value is in range by construction.
          int size = elementType.equals("uint8") ? 1 : elementType.equals("uint16") ? 2 : 4;
          dtype = size == 1 ? DType.UINT8 : size == 2 ? DType.UINT16 : DType.UINT32;
          b = le(n, size);
          for (long v : (long[]) data) {
            if (size == 1) {
              b.put((byte) v);
            } else if (size == 2) {
              b.putShort((short) v);
            } else {
              b.putInt((int) v);
            }
          }
          b.flip();
          break;
        }
      case "float":
      case "float16":
      case "bfloat16":
        dtype = DType.FLOAT32;
        b = le(n, 4);
        b.asFloatBuffer().put((float[]) data);
        break;
      case "double":
        dtype = DType.FLOAT64;
        b = le(n, 8);
        b.asDoubleBuffer().put((double[]) data);
        break;
      case "bool":
        {
          dtype = DType.BOOL;
          b = le(n, 1);
          for (boolean v : (boolean[]) data) {
            b.put((byte) (v ? 1 : 0));
          }
          b.flip();
          break;
        }
      default:
        throw new StackException(
            "output '"
                + name
                + "' has element type "
                + elementType
                + ", which the npz runner cannot write");
    }
    out.put(Tensors.wrap(name, dtype, shape, b));
  }

  private static ByteBuffer le(int count, int itemSize) {
    return ByteBuffer.allocate(Math.multiplyExact(count, itemSize)).order(ByteOrder.LITTLE_ENDIAN);
  }
}
