import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.SpecificInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.Platform;

/**
 * The like-for-like baseline for {@code bench/spark_fleet.py}: hand-written raw ONNX Runtime Java
 * inside the same Spark plan as jvmready's transformer (same Parquet, same session, same batch
 * size), as fast as it can be written and with nothing checked: the array column's values are
 * copied with one memory copy per row straight from Catalyst's unsafe arrays into one flat batch
 * (no null, length or range checks, no type conversion: the column's element type must be the
 * model's), {@code OrtSession.run} is called directly, and its tensor outputs are written into
 * each row as primitives or unsafe array slices. One ORT session per JVM, shared by the tasks.
 *
 * <p>Called from Python through py4j: {@code RawOrtSpark.score(df, modelBytes, input, column,
 * batch)} returns the scored DataFrame (the input columns plus every output).
 */
public final class RawOrtSpark {
  private static final Map<Integer, OrtSession> SESSIONS = new ConcurrentHashMap<>();

  private RawOrtSpark() {}

  /**
   * Scores {@code df}'s array column {@code column} as model input {@code input}.
   *
   * @param df a DataFrame of a classic session
   * @param model the model bytes
   * @param input the model's only input
   * @param column an {@code array<float>} or {@code array<int>} column matching the input type
   * @param batch rows per run
   * @return the input columns plus one column per model output
   * @throws OrtException if ONNX Runtime cannot open the model
   */
  public static Dataset<Row> score(
      Dataset<Row> df, byte[] model, String input, String column, int batch) throws OrtException {
    org.apache.spark.sql.classic.Dataset<Row> classic =
        (org.apache.spark.sql.classic.Dataset<Row>) df;
    int key = java.util.Arrays.hashCode(model);
    OrtSession session = session(key, model);
    StructType outputs = new StructType();
    for (NodeInfo n : session.getOutputInfo().values()) {
      TensorInfo t = (TensorInfo) n.getInfo();
      DataType element = sparkType(t.type);
      outputs =
          outputs.add(
              n.getName(),
              t.getShape().length == 1 ? element : DataTypes.createArrayType(element, false),
              true);
    }
    StructType schema = df.schema();
    for (var f : outputs.fields()) {
      schema = schema.add(f);
    }
    Broadcast<byte[]> bytes =
        JavaSparkContext.fromSparkContext(classic.sparkSession().sparkContext()).broadcast(model);
    Job job = new Job(bytes, key, input, schema.fieldIndex(column), outputs, batch);
    RDD<InternalRow> rows = classic.queryExecution().toRdd();
    RDD<InternalRow> scored = rows.toJavaRDD().mapPartitionsWithIndex(job, true).rdd();
    return classic.sparkSession().internalCreateDataFrame(scored, schema, false);
  }

  private static DataType sparkType(OnnxJavaType t) {
    return switch (t) {
      case FLOAT -> DataTypes.FloatType;
      case DOUBLE -> DataTypes.DoubleType;
      case INT64 -> DataTypes.LongType;
      case INT32 -> DataTypes.IntegerType;
      default -> throw new IllegalArgumentException("output type " + t + " not in this baseline");
    };
  }

  static OrtSession session(int key, byte[] model) {
    return SESSIONS.computeIfAbsent(
        key,
        k -> {
          // One intra-op thread, as the transformer's default: Spark already runs a task per core.
          try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            return OrtEnvironment.getEnvironment().createSession(model, options);
          } catch (OrtException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  /** The per-partition function (serializable: shipped to the tasks). */
  private record Job(
      Broadcast<byte[]> model,
      int key,
      String input,
      int ordinal,
      StructType outputs,
      int batch)
      implements Function2<Integer, Iterator<InternalRow>, Iterator<InternalRow>> {
    @Override
    public Iterator<InternalRow> call(Integer partition, Iterator<InternalRow> rows) {
      return new Batches(this, session(key, model.value()), rows);
    }
  }

  /** One partition's rows, a batch at a time. */
  private static final class Batches implements Iterator<InternalRow> {
    private final Job job;
    private final OrtSession session;
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final Iterator<InternalRow> rows;
    private final UnsafeRow[] held;
    private final SpecificInternalRow out;
    private final JoinedRow joined = new JoinedRow();
    private final Object[] results;
    private final int[] per;
    private final boolean isFloat;
    private byte[] values; // the batch's input values, raw bytes of the column's element type
    private ByteBuffer direct;
    private int size;
    private int emitted;

    Batches(Job job, OrtSession session, Iterator<InternalRow> rows) {
      this.job = job;
      this.session = session;
      this.rows = rows;
      this.held = new UnsafeRow[job.batch];
      this.out = new SpecificInternalRow(job.outputs);
      this.results = new Object[job.outputs.size()];
      this.per = new int[job.outputs.size()];
      try {
        this.isFloat =
            ((TensorInfo) session.getInputInfo().get(job.input).getInfo()).type
                == OnnxJavaType.FLOAT;
      } catch (OrtException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public boolean hasNext() {
      if (emitted < size) {
        return true;
      }
      if (!rows.hasNext()) {
        return false;
      }
      try {
        fill();
      } catch (OrtException e) {
        throw new IllegalStateException(e);
      }
      return true;
    }

    @Override
    public InternalRow next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      int i = emitted++;
      for (int k = 0; k < results.length; k++) {
        Object r = results[k];
        int n = per[k];
        if (n == 0) {
          if (r instanceof float[] a) {
            out.setFloat(k, a[i]);
          } else if (r instanceof long[] a) {
            out.setLong(k, a[i]);
          } else if (r instanceof int[] a) {
            out.setInt(k, a[i]);
          } else {
            out.setDouble(k, ((double[]) r)[i]);
          }
        } else if (r instanceof float[]) {
          out.update(k, slice(r, Platform.FLOAT_ARRAY_OFFSET, i, n, 4));
        } else if (r instanceof long[]) {
          out.update(k, slice(r, Platform.LONG_ARRAY_OFFSET, i, n, 8));
        } else if (r instanceof int[]) {
          out.update(k, slice(r, Platform.INT_ARRAY_OFFSET, i, n, 4));
        } else {
          out.update(k, slice(r, Platform.DOUBLE_ARRAY_OFFSET, i, n, 8));
        }
      }
      return joined.apply(held[i], out);
    }

    private static UnsafeArrayData slice(Object array, int base, int row, int n, int size) {
      return UnsafeArrayData.fromPrimitiveArray(array, base + row * n * size, n, size);
    }

    private void fill() throws OrtException {
      int n = 0;
      int width = 0;
      int bytes = 0;
      while (n < job.batch && rows.hasNext()) {
        UnsafeRow row = (UnsafeRow) rows.next();
        if (held[n] == null) {
          held[n] = row.copy();
        } else {
          held[n].copyFrom(row);
        }
        UnsafeArrayData a = held[n].getArray(job.ordinal);
        width = a.numElements();
        int len = width * 4; // float or int32
        if (values == null) {
          values = new byte[job.batch * len];
          direct = ByteBuffer.allocateDirect(job.batch * len).order(ByteOrder.nativeOrder());
        }
        Platform.copyMemory(
            a.getBaseObject(),
            a.getBaseOffset() + UnsafeArrayData.calculateHeaderPortionInBytes(width),
            values,
            Platform.BYTE_ARRAY_OFFSET + bytes,
            len);
        bytes += len;
        n++;
      }
      direct.clear();
      direct.put(values, 0, bytes).flip();
      long[] shape = {n, width};
      OnnxTensor tensor =
          isFloat
              ? OnnxTensor.createTensor(env, direct.asFloatBuffer(), shape)
              : OnnxTensor.createTensor(env, direct.asIntBuffer(), shape);
      try (tensor;
          OrtSession.Result result = session.run(Map.of(job.input, tensor))) {
        int k = 0;
        for (Map.Entry<String, OnnxValue> e : result) {
          OnnxTensor t = (OnnxTensor) e.getValue();
          long[] s = t.getInfo().getShape();
          per[k] = s.length == 1 ? 0 : (int) (t.getInfo().getNumElements() / n);
          results[k++] =
              switch (t.getInfo().type) {
                case FLOAT -> t.getFloatBuffer().array();
                case INT64 -> t.getLongBuffer().array();
                case INT32 -> t.getIntBuffer().array();
                default -> t.getDoubleBuffer().array();
              };
        }
      }
      size = n;
      emitted = 0;
    }
  }
}
