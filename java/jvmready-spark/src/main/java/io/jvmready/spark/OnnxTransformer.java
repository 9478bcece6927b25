package io.jvmready.spark;

import io.jvmready.onnxruntime.IoSpec;
import io.jvmready.onnxruntime.ModelRunner;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML {@code Transformer} that scores an ONNX model over a DataFrame and appends its
 * outputs as columns.
 *
 * <p>The model comes from a path on any Hadoop file system ({@link #setModelPath}) or from bytes
 * ({@link #setModelBytes}); it is read once on the driver and broadcast. Each executor JVM opens
 * one ONNX Runtime session per model (keyed by the model's SHA-256) and shares it across tasks;
 * sessions close when the JVM exits.
 *
 * <p>Model inputs are fed from columns of the same name unless {@link #setInputColumn} says
 * otherwise; outputs become columns of the same name (all of them), unless {@link
 * #setOutputColumn} picks some and names their columns. Integer columns pass in their own width
 * and are converted to what the model declares with every value checked: a {@code bigint} value
 * 2147483653 fed to an {@code int32} input fails the task with a {@link ColumnValueException}
 * naming the column, the row and the value, never a wrapped number.
 *
 * <p>Columns: a scalar column feeds an input of shape {@code [batch]} (or {@code [batch, 1]}); an
 * array or ML vector column feeds {@code [batch, k]}. Outputs: {@code int32} becomes {@code int},
 * {@code int64} {@code bigint}, {@code float} {@code float}...; an output of shape {@code [batch,
 * ...]} becomes an array column, flat, with the per-row shape in the column metadata ({@code
 * shape}); scikit-learn's ZipMap becomes {@code map<bigint,float>}. A null input is an error unless
 * {@code passNulls} is set, which leaves that row's outputs null.
 *
 * <p>Rows are scored in mini-batches of {@code batchSize} (default 256) per partition.
 */
public class OnnxTransformer extends Transformer implements MLWritable {
  private static final long serialVersionUID = 1L;
  private static final String MODEL_FILE = "model.onnx";

  private final Param<String> modelPath;
  private final StringArrayParam inputColumns;
  private final StringArrayParam outputColumns;
  private final IntParam batchSize;
  private final BooleanParam passNulls;
  private final IntParam intraOpThreads;
  private final String uid;
  private byte[] modelBytes;

  /** A transformer with a random uid; set the model before use. */
  public OnnxTransformer() {
    this(Identifiable$.MODULE$.randomUID("onnxTransformer"));
  }

  /**
   * A transformer with the given uid (used by Spark when loading and copying).
   *
   * @param uid the uid
   */
  public OnnxTransformer(String uid) {
    this.uid = uid;
    modelPath =
        new Param<>(this, "modelPath", "path of the ONNX model on any Hadoop file system");
    inputColumns =
        new StringArrayParam(
            this,
            "inputColumns",
            "model input = column pairs, 'input=column' (default: same name)");
    outputColumns =
        new StringArrayParam(
            this,
            "outputColumns",
            "model output = column pairs, 'output=column' (default: every output, same name)");
    batchSize = new IntParam(this, "batchSize", "rows per ONNX Runtime run (>= 1)");
    passNulls =
        new BooleanParam(
            this, "passNulls", "leave outputs null for rows with a null input instead of failing");
    setDefault(inputColumns, new String[0]);
    setDefault(outputColumns, new String[0]);
    setDefault(batchSize, 256);
    intraOpThreads =
        new IntParam(
            this,
            "intraOpThreads",
            "ONNX Runtime threads per run (>= 0; 0: one per core). Spark already runs a task per"
                + " core, so the default is 1");
    setDefault(passNulls, false);
    setDefault(intraOpThreads, 1);
  }

  @Override
  public String uid() {
    return uid;
  }

  /**
   * The model path param.
   *
   * @return the param
   */
  public Param<String> modelPath() {
    return modelPath;
  }

  /**
   * The input mapping param ({@code input=column} entries).
   *
   * @return the param
   */
  public StringArrayParam inputColumns() {
    return inputColumns;
  }

  /**
   * The output mapping param ({@code output=column} entries).
   *
   * @return the param
   */
  public StringArrayParam outputColumns() {
    return outputColumns;
  }

  /**
   * The mini-batch size param.
   *
   * @return the param
   */
  public IntParam batchSize() {
    return batchSize;
  }

  /**
   * The pass-nulls param.
   *
   * @return the param
   */
  public BooleanParam passNulls() {
    return passNulls;
  }

  /**
   * Scores the model at this path (any Hadoop file system: {@code file:}, {@code hdfs:}, {@code
   * s3a:}...).
   *
   * @param path the model path
   * @return this
   */
  public OnnxTransformer setModelPath(String path) {
    set(modelPath, Objects.requireNonNull(path, "path"));
    return this;
  }

  /**
   * Scores this serialized model; takes precedence over a model path.
   *
   * @param model the ONNX model bytes (copied)
   * @return this
   */
  public OnnxTransformer setModelBytes(byte[] model) {
    modelBytes = Objects.requireNonNull(model, "model").clone();
    return this;
  }

  /**
   * Feeds model input {@code input} from column {@code column}.
   *
   * @param input the model input name
   * @param column the DataFrame column
   * @return this
   */
  public OnnxTransformer setInputColumn(String input, String column) {
    set(inputColumns, withPair(getOrDefault(inputColumns), input, column));
    return this;
  }

  /**
   * Writes model output {@code output} to column {@code column}; once any output is set this way,
   * only the outputs set are written.
   *
   * @param output the model output name
   * @param column the new column
   * @return this
   */
  public OnnxTransformer setOutputColumn(String output, String column) {
    set(outputColumns, withPair(getOrDefault(outputColumns), output, column));
    return this;
  }

  /**
   * Rows per ONNX Runtime run.
   *
   * @param rows at least 1
   * @return this
   */
  public OnnxTransformer setBatchSize(int rows) {
    if (rows < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, not " + rows);
    }
    set(batchSize, rows);
    return this;
  }

  /**
   * Whether rows with a null input get null outputs (true) or fail the task (false, default).
   *
   * @param pass the setting
   * @return this
   */
  public OnnxTransformer setPassNulls(boolean pass) {
    set(passNulls, pass);
    return this;
  }

  /**
   * ONNX Runtime's intra-op threads per run. The default, 1, suits Spark: an executor already
   * runs one task per core, each calling the shared session, and ONNX Runtime's own thread pool
   * on top would oversubscribe the cores. 0 restores ONNX Runtime's default (one per core), for
   * a few large runs per executor.
   *
   * @param threads at least 0
   * @return this
   */
  public OnnxTransformer setIntraOpThreads(int threads) {
    if (threads < 0) {
      throw new IllegalArgumentException("intraOpThreads must be >= 0, not " + threads);
    }
    set(intraOpThreads, threads);
    return this;
  }

  /**
   * The intra-op threads param.
   *
   * @return the param
   */
  public IntParam intraOpThreads() {
    return intraOpThreads;
  }

  /**
   * ONNX Runtime's intra-op threads per run (0: its default).
   *
   * @return the setting
   */
  public int getIntraOpThreads() {
    return (Integer) getOrDefault(intraOpThreads);
  }

  /**
   * The mini-batch size.
   *
   * @return rows per run
   */
  public int getBatchSize() {
    return (Integer) getOrDefault(batchSize);
  }

  /**
   * Whether null inputs pass through.
   *
   * @return the setting
   */
  public boolean getPassNulls() {
    return (Boolean) getOrDefault(passNulls);
  }

  /**
   * The model input to column mapping in effect (explicit pairs only).
   *
   * @return input name to column name
   */
  public Map<String, String> getInputColumns() {
    return pairs(getOrDefault(inputColumns), "inputColumns");
  }

  /**
   * The model output to column mapping set (empty: every output, same name).
   *
   * @return output name to column name
   */
  public Map<String, String> getOutputColumns() {
    return pairs(getOrDefault(outputColumns), "outputColumns");
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return plan(schema, SparkSession.active()).schema();
  }

  /**
   * Scores the DataFrame. The input's plan is planned here and its Catalyst rows ({@code
   * queryExecution().toRdd()}) are scored batch by batch; the result is a new DataFrame over those
   * rows, so filters and projections applied to the result are not pushed below the scoring.
   * Needs a classic (not Spark Connect) session and a batch (not streaming) DataFrame.
   */
  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    Dataset<Row> df = dataset.toDF();
    if (!(df instanceof org.apache.spark.sql.classic.Dataset<Row> classic)) {
      throw new UnsupportedOperationException(
          "OnnxTransformer scores DataFrames of a classic Spark session, not "
              + df.getClass().getName()
              + " (Spark Connect)");
    }
    if (classic.isStreaming()) {
      throw new UnsupportedOperationException(
          "OnnxTransformer scores batch DataFrames; this one is streaming");
    }
    org.apache.spark.sql.classic.SparkSession spark = classic.sparkSession();
    Plan plan = plan(df.schema(), spark);
    Broadcast<byte[]> model =
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(plan.bytes());
    StructType outputSchema = new StructType();
    for (OutputBinding b : plan.outputs()) {
      outputSchema = outputSchema.add(plan.schema().apply(b.column()));
    }
    Scorer scorer =
        new Scorer(
            model,
            plan.hash(),
            plan.inputs(),
            plan.outputs(),
            outputSchema,
            getBatchSize(),
            getPassNulls(),
            getIntraOpThreads());
    RDD<InternalRow> rows = classic.queryExecution().toRdd();
    RDD<InternalRow> scored = rows.toJavaRDD().mapPartitionsWithIndex(scorer, true).rdd();
    return spark.internalCreateDataFrame(scored, plan.schema(), false);
  }

  @Override
  public OnnxTransformer copy(ParamMap extra) {
    OnnxTransformer copy = defaultCopy(extra);
    copy.modelBytes = modelBytes;
    return copy;
  }

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  /**
   * A reader for transformers saved with {@link #write()}.
   *
   * @return the reader
   */
  public static MLReader<OnnxTransformer> read() {
    return new Reader();
  }

  /**
   * Loads a transformer saved with {@code write().save(path)}.
   *
   * @param path where it was saved
   * @return the transformer, carrying its model
   */
  public static OnnxTransformer load(String path) {
    return read().load(path);
  }

  /** What one transform does: the model, how columns bind to it, and the output schema. */
  private record Plan(
      byte[] bytes,
      String hash,
      List<InputBinding> inputs,
      List<OutputBinding> outputs,
      StructType schema) {}

  private Plan plan(StructType schema, SparkSession spark) {
    byte[] bytes = modelBytes(spark);
    String hash = SessionCache.hash(bytes);
    ModelRunner runner = SessionCache.get(hash, getIntraOpThreads(), () -> bytes);
    Map<String, String> inputMap = getInputColumns();
    for (String name : inputMap.keySet()) {
      if (!runner.inputs().containsKey(name)) {
        throw new IllegalArgumentException(
            "inputColumns names '" + name + "', which is not a model input; " + runner);
      }
    }
    List<InputBinding> inputs = new ArrayList<>();
    for (IoSpec spec : runner.inputs().values()) {
      String column = inputMap.getOrDefault(spec.name(), spec.name());
      inputs.add(bindInput(schema, spec, column));
    }
    Map<String, String> outputMap = getOutputColumns();
    Map<String, String> chosen = new LinkedHashMap<>();
    if (outputMap.isEmpty()) {
      runner.outputs().keySet().forEach(name -> chosen.put(name, name));
    } else {
      chosen.putAll(outputMap);
    }
    List<OutputBinding> outputs = new ArrayList<>();
    StructType out = schema;
    for (Map.Entry<String, String> e : chosen.entrySet()) {
      IoSpec spec = runner.outputs().get(e.getKey());
      if (spec == null) {
        throw new IllegalArgumentException(
            "outputColumns names '" + e.getKey() + "', which is not a model output; " + runner);
      }
      if (List.of(out.fieldNames()).contains(e.getValue())) {
        throw new IllegalArgumentException(
            "output column '"
                + e.getValue()
                + "' already exists; name it with setOutputColumn(\""
                + e.getKey()
                + "\", ...)");
      }
      OutputBinding b = Columns.bind(spec, e.getValue());
      outputs.add(b);
      out = out.add(new StructField(b.column(), Columns.columnType(b), true, metadata(b, spec)));
    }
    return new Plan(bytes, hash, inputs, outputs, out);
  }

  private static InputBinding bindInput(StructType schema, IoSpec spec, String column) {
    if (!List.of(schema.fieldNames()).contains(column)) {
      throw new IllegalArgumentException(
          "model input '"
              + spec.name()
              + "' ("
              + spec.describe()
              + ") needs column '"
              + column
              + "', which the DataFrame lacks; map it with setInputColumn(\""
              + spec.name()
              + "\", \"<column>\")");
    }
    int index = schema.fieldIndex(column);
    DataType type = schema.fields()[index].dataType();
    boolean scalar = Columns.javaElement(type) != null;
    boolean rowOfValues = Columns.isRowOfValues(type);
    long[] shape = spec.shape();
    boolean fits =
        spec.kind() == IoSpec.Kind.TENSOR
            && ((scalar && (spec.rank() == 1 || (spec.rank() == 2 && shape[1] == 1)))
                || (rowOfValues && spec.rank() == 2));
    if (!fits) {
      throw new IllegalArgumentException(
          "column '"
              + column
              + "' ("
              + type.simpleString()
              + ") cannot feed model input '"
              + spec.name()
              + "' ("
              + spec.describe()
              + "): a scalar column feeds [batch] or [batch, 1], an array or vector column"
              + " feeds [batch, k]");
    }
    return new InputBinding(
        spec.name(), column, index, type, spec.rank(), spec.describe(), spec.elementType());
  }

  private static Metadata metadata(OutputBinding b, IoSpec spec) {
    MetadataBuilder m =
        new MetadataBuilder()
            .putString("onnx_output", spec.name())
            .putString("onnx_type", spec.onnxType());
    if (b.kind() == OutputBinding.Kind.ARRAY) {
      m.putLongArray("shape", b.rowShape());
    }
    return m.build();
  }

  /** The model bytes: those set, else read from the model path on the driver. */
  byte[] modelBytes(SparkSession spark) {
    if (modelBytes != null) {
      return modelBytes;
    }
    if (!isDefined(modelPath)) {
      throw new IllegalStateException("no model: call setModelPath(...) or setModelBytes(...)");
    }
    return readFile(new Path(getOrDefault(modelPath)), spark.sparkContext().hadoopConfiguration());
  }

  private static byte[] readFile(Path path, Configuration conf) {
    try {
      FileSystem fs = path.getFileSystem(conf);
      long length = fs.getFileStatus(path).getLen();
      if (length > Integer.MAX_VALUE - 16) {
        throw new IOException("model of " + length + " bytes is over the 2 GiB ONNX limit");
      }
      try (InputStream in = fs.open(path)) {
        return in.readAllBytes();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(path + ": cannot read the model: " + e.getMessage(), e);
    }
  }

  private static String[] withPair(String[] pairs, String key, String value) {
    Objects.requireNonNull(key, "name");
    Objects.requireNonNull(value, "column");
    if (key.contains("=")) {
      throw new IllegalArgumentException("a name with '=' cannot be mapped: " + key);
    }
    List<String> out = new ArrayList<>();
    for (String p : pairs) {
      if (!p.startsWith(key + "=")) {
        out.add(p);
      }
    }
    out.add(key + "=" + value);
    return out.toArray(new String[0]);
  }

  private static Map<String, String> pairs(String[] entries, String param) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String p : entries) {
      int eq = p.indexOf('=');
      if (eq <= 0 || eq == p.length() - 1) {
        throw new IllegalArgumentException(param + ": '" + p + "' is not 'name=column'");
      }
      m.put(p.substring(0, eq), p.substring(eq + 1));
    }
    return m;
  }

  /** Saves the params (Spark's JSON metadata) and the model bytes ({@code model.onnx}). */
  private static final class Writer extends MLWriter {
    private final OnnxTransformer instance;

    Writer(OnnxTransformer instance) {
      this.instance = instance;
    }

    @Override
    public void saveImpl(String path) {
      DefaultParamsWriter$.MODULE$.saveMetadata(instance, path, sparkSession());
      byte[] bytes = instance.modelBytes(sparkSession());
      Path file = new Path(path, MODEL_FILE);
      try {
        FileSystem fs = file.getFileSystem(sparkSession().sparkContext().hadoopConfiguration());
        try (OutputStream out = fs.create(file, false)) {
          out.write(bytes);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(file + ": cannot write the model: " + e.getMessage(), e);
      }
    }
  }

  /** Loads what {@link Writer} saved. */
  private static final class Reader extends MLReader<OnnxTransformer> {
    @Override
    public OnnxTransformer load(String path) {
      DefaultParamsReader.Metadata metadata =
          DefaultParamsReader$.MODULE$.loadMetadata(
              path, sparkSession(), OnnxTransformer.class.getName());
      OnnxTransformer t = new OnnxTransformer(metadata.uid());
      metadata.getAndSetParams(t, scala.Option.empty());
      t.modelBytes =
          readFile(new Path(path, MODEL_FILE), sparkSession().sparkContext().hadoopConfiguration());
      return t;
    }
  }
}
