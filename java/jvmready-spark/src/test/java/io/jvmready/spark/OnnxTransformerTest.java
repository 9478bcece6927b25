package io.jvmready.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transformer in a real {@code local[2]} Spark session against models and outputs written by
 * Python (tests/vectors/make_spark.py, outputs computed by Python onnxruntime).
 */
class OnnxTransformerTest {
  private static SparkSession spark;
  private static Path data;

  @BeforeAll
  static void start() {
    String root = System.getProperty("jvmready.testdata");
    assertTrue(root != null, "system property jvmready.testdata is not set (run via Maven)");
    data = Path.of(root, "spark");
    assertTrue(
        Files.isRegularFile(data.resolve("iris.onnx")),
        "missing " + data + ": run tests/vectors/make_spark.py " + root);
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("jvmready-spark-test")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", "2")
            .getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static Dataset<Row> json(String name) {
    return spark.read().json(data.resolve(name).toString());
  }

  @Test
  void irisMatchesPythonOnnxRuntimeWithZipMapAsAMapColumn() {
    Dataset<Row> df = json("iris.jsonl").repartition(3);
    OnnxTransformer t =
        new OnnxTransformer()
            .setModelPath(data.resolve("iris.onnx").toUri().toString())
            .setBatchSize(7);
    Dataset<Row> scored = t.transform(df);
    StructType schema = scored.schema();
    assertEquals(DataTypes.LongType, schema.apply("output_label").dataType());
    assertEquals(
        DataTypes.createMapType(DataTypes.LongType, DataTypes.FloatType, false),
        schema.apply("output_probability").dataType());
    assertEquals(schema, t.transformSchema(df.schema()));
    List<Row> rows = scored.collectAsList();
    assertEquals(150, rows.size());
    for (Row r : rows) {
      assertEquals(r.getLong(r.fieldIndex("label")), r.getLong(r.fieldIndex("output_label")));
      Map<Long, Float> probs = r.getJavaMap(r.fieldIndex("output_probability"));
      List<Double> expected = r.getList(r.fieldIndex("probabilities"));
      assertEquals(3, probs.size());
      for (int k = 0; k < 3; k++) {
        assertEquals(expected.get(k).floatValue(), probs.get((long) k), 1e-6f, "class " + k);
      }
    }
  }

  @Test
  void integerOutputsKeepTheirWidthAndTensorsBecomeArraysWithShapeMetadata() {
    // ids is a bigint column (JSON): every value fits the model's int32 input, checked.
    Dataset<Row> df = json("ids.jsonl");
    OnnxTransformer t =
        new OnnxTransformer()
            .setModelPath(data.resolve("ids.onnx").toString())
            .setOutputColumn("doubled", "out_doubled")
            .setOutputColumn("wide", "out_wide")
            .setOutputColumn("pair", "out_pair")
            .setBatchSize(3);
    Dataset<Row> scored = t.transform(df);
    StructType schema = scored.schema();
    assertEquals(DataTypes.IntegerType, schema.apply("out_doubled").dataType());
    assertEquals(DataTypes.LongType, schema.apply("out_wide").dataType());
    assertEquals(
        DataTypes.createArrayType(DataTypes.LongType, false), schema.apply("out_pair").dataType());
    assertArrayEquals(new long[] {2}, schema.apply("out_pair").metadata().getLongArray("shape"));
    assertEquals("tensor(int64)", schema.apply("out_wide").metadata().getString("onnx_type"));
    List<Row> rows = scored.collectAsList();
    assertEquals(10, rows.size());
    for (Row r : rows) {
      assertEquals(r.getLong(r.fieldIndex("doubled")), r.getInt(r.fieldIndex("out_doubled")));
      assertEquals(r.getLong(r.fieldIndex("wide")), r.getLong(r.fieldIndex("out_wide")));
      assertEquals(r.getList(r.fieldIndex("pair")), r.getList(r.fieldIndex("out_pair")));
    }
  }

  private static Dataset<Row> longs(String column, Long... values) {
    List<Row> rows = new ArrayList<>();
    for (Long v : values) {
      rows.add(RowFactory.create(v));
    }
    StructType schema =
        new StructType(
            new StructField[] {DataTypes.createStructField(column, DataTypes.LongType, true)});
    return spark.createDataFrame(rows, schema).coalesce(1);
  }

  private static String messages(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = e; c != null; c = c.getCause()) {
      sb.append(c.getMessage()).append('\n');
    }
    return sb.toString();
  }

  @Test
  void aBigintThatDoesNotFitInt32FailsNamingColumnRowAndValue() throws IOException {
    byte[] model = Files.readAllBytes(data.resolve("ids.onnx"));
    Dataset<Row> df = longs("user_id", 1L, 2L, 3L, (1L << 31) + 5, 4L);
    OnnxTransformer t =
        new OnnxTransformer().setModelBytes(model).setInputColumn("ids", "user_id").setBatchSize(2);
    Exception e = assertThrows(Exception.class, () -> t.transform(df).collectAsList());
    String text = messages(e);
    assertTrue(text.contains("column 'user_id', partition 0, row 3: value 2147483653"), text);
    assertTrue(text.contains("does not fit int32"), text);
    assertTrue(text.contains("model input 'ids'"), text);
    // the same column without the value scores, values intact
    List<Row> ok = t.transform(longs("user_id", 1L, -7L, 4L)).collectAsList();
    assertEquals(List.of(2, -14, 8), ok.stream().map(r -> r.getInt(1)).toList());
    assertEquals(List.of(3L, -21L, 12L), ok.stream().map(r -> r.getLong(2)).toList());
  }

  @Test
  void nullsFailUnlessPassNullsLeavesThatRowsOutputsNull() throws IOException {
    byte[] model = Files.readAllBytes(data.resolve("ids.onnx"));
    Dataset<Row> df = longs("ids", 5L, null, 6L);
    OnnxTransformer t = new OnnxTransformer().setModelBytes(model);
    Exception e = assertThrows(Exception.class, () -> t.transform(df).collectAsList());
    assertTrue(messages(e).contains("column 'ids', partition 0, row 1: null"), messages(e));
    List<Row> rows = t.setPassNulls(true).transform(df).collectAsList();
    assertEquals(10, rows.get(0).getInt(1));
    assertNull(rows.get(1).get(1));
    assertNull(rows.get(1).get(3));
    assertEquals(18L, rows.get(2).getLong(2));
    assertEquals(List.of(18L, 18L), rows.get(2).getList(3));
  }

  @Test
  void aMissingColumnIsAnErrorNamingInputAndColumn() throws IOException {
    byte[] model = Files.readAllBytes(data.resolve("ids.onnx"));
    OnnxTransformer t = new OnnxTransformer().setModelBytes(model);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> t.transform(longs("other", 1L)));
    assertTrue(e.getMessage().contains("model input 'ids'"), e.getMessage());
    assertTrue(e.getMessage().contains("needs column 'ids'"), e.getMessage());
  }

  @Test
  void savedTransformerCarriesItsModelAndParams(@TempDir Path tmp) throws IOException {
    Path copy = tmp.resolve("copy.onnx");
    Files.copy(data.resolve("ids.onnx"), copy);
    OnnxTransformer t =
        new OnnxTransformer()
            .setModelPath(copy.toString())
            .setInputColumn("ids", "user_id")
            .setOutputColumn("wide", "score")
            .setBatchSize(2)
            .setPassNulls(true)
            .setIntraOpThreads(0);
    String saved = tmp.resolve("saved").toString();
    t.write().save(saved);
    Files.delete(copy); // the saved transformer must not need the original file
    OnnxTransformer loaded = OnnxTransformer.load(saved);
    assertEquals(t.uid(), loaded.uid());
    assertEquals(2, loaded.getBatchSize());
    assertTrue(loaded.getPassNulls());
    assertEquals(0, loaded.getIntraOpThreads());
    assertEquals(1, new OnnxTransformer().getIntraOpThreads()); // Spark runs a task per core
    assertThrows(IllegalArgumentException.class, () -> loaded.setIntraOpThreads(-1));
    assertEquals(Map.of("ids", "user_id"), loaded.getInputColumns());
    assertEquals(Map.of("wide", "score"), loaded.getOutputColumns());
    List<Row> rows = loaded.transform(longs("user_id", 7L, null, 1000L)).collectAsList();
    assertEquals(2, rows.get(0).length());
    assertEquals(Arrays.asList(21L, null, 3000L), rows.stream().map(r -> (Long) r.get(1)).toList());
  }

  @Test
  void oneSessionPerModelPerJvm() throws IOException {
    byte[] model = Files.readAllBytes(data.resolve("ids.onnx"));
    OnnxTransformer t = new OnnxTransformer().setModelBytes(model);
    t.transform(longs("ids", 1L, 2L).repartition(2)).collectAsList();
    int before = SessionCache.size();
    t.transform(longs("ids", 3L, 4L, 5L).repartition(2)).collectAsList();
    new OnnxTransformer().setModelBytes(model.clone()).transform(longs("ids", 6L)).count();
    assertEquals(before, SessionCache.size());
    // at most one per model and thread setting this class scores (ids, iris, rows; ids with
    // ONNX Runtime's default threads)
    assertTrue(SessionCache.size() <= 4, "sessions: " + SessionCache.size());
  }

  @Test
  void arrayColumnsOfAnyWidthFeedRank2InputsAndMatchPythonOnnxRuntime() {
    // x: array<bigint> (JSON) narrowed to int32, checked; v: array<double> rounded to float
    Dataset<Row> df = json("rows.jsonl").repartition(3);
    OnnxTransformer t =
        new OnnxTransformer()
            .setModelPath(data.resolve("rows.onnx").toString())
            .setOutputColumn("total", "out_total")
            .setOutputColumn("scaled", "out_scaled")
            .setBatchSize(4);
    Dataset<Row> scored = t.transform(df);
    assertEquals(
        DataTypes.createArrayType(DataTypes.FloatType, false),
        scored.schema().apply("out_scaled").dataType());
    assertArrayEquals(
        new long[] {3}, scored.schema().apply("out_scaled").metadata().getLongArray("shape"));
    List<Row> rows = scored.collectAsList();
    assertEquals(23, rows.size());
    for (Row r : rows) {
      assertEquals(r.getLong(r.fieldIndex("total")), r.getLong(r.fieldIndex("out_total")));
      List<Double> expected = r.getList(r.fieldIndex("scaled"));
      List<Float> got = r.getList(r.fieldIndex("out_scaled"));
      assertEquals(3, got.size());
      for (int k = 0; k < 3; k++) {
        assertEquals(expected.get(k).floatValue(), got.get(k), "value " + k);
      }
    }
  }

  private static Dataset<Row> xv(List<Row> rows, StructField x, StructField v) {
    return spark.createDataFrame(rows, new StructType(new StructField[] {x, v})).coalesce(1);
  }

  @Test
  void intArraysAndDenseOrSparseVectorsFeedTheSameModel() {
    StructField x =
        DataTypes.createStructField("x", DataTypes.createArrayType(DataTypes.IntegerType), true);
    StructField v = DataTypes.createStructField("v", SQLDataTypes.VectorType(), true);
    List<Row> rows =
        List.of(
            RowFactory.create(List.of(1, 2, 3).toArray(), Vectors.dense(0.5, -1.5, 2.0)),
            RowFactory.create(
                List.of(Integer.MAX_VALUE, -1, 0).toArray(),
                Vectors.sparse(3, new int[] {1}, new double[] {4.25})),
            RowFactory.create(
                List.of(-5, -6, -7).toArray(), Vectors.sparse(3, new int[0], new double[0])));
    List<Row> got =
        new OnnxTransformer()
            .setModelPath(data.resolve("rows.onnx").toString())
            .setBatchSize(2)
            .transform(xv(rows, x, v))
            .collectAsList();
    assertEquals(
        List.of(6L, (long) Integer.MAX_VALUE - 1, -18L),
        got.stream().map(r -> r.getLong(2)).toList());
    assertEquals(List.of(1.0f, -3.0f, 4.0f), got.get(0).getList(3));
    assertEquals(List.of(0.0f, 8.5f, 0.0f), got.get(1).getList(3));
    assertEquals(List.of(0.0f, 0.0f, 0.0f), got.get(2).getList(3));
  }

  @Test
  void aBigintInsideAnArrayThatDoesNotFitFailsNamingItsRow() {
    StructField x =
        DataTypes.createStructField("x", DataTypes.createArrayType(DataTypes.LongType), true);
    StructField v =
        DataTypes.createStructField("v", DataTypes.createArrayType(DataTypes.FloatType), true);
    List<Row> rows = new ArrayList<>();
    for (long i = 0; i < 5; i++) {
      long big = i == 3 ? (1L << 31) + 5 : i;
      rows.add(RowFactory.create(new Long[] {i, big, -i}, new Float[] {1f, 2f, 3f}));
    }
    OnnxTransformer t =
        new OnnxTransformer().setModelPath(data.resolve("rows.onnx").toString()).setBatchSize(2);
    Exception e = assertThrows(Exception.class, () -> t.transform(xv(rows, x, v)).collectAsList());
    String text = messages(e);
    assertTrue(text.contains("column 'x', partition 0, row 3: value 2147483653"), text);
    assertTrue(text.contains("does not fit int32 (model input 'x' declares"), text);
  }

  @Test
  void nullElementsAndRowsOfTheWrongLengthAreNamed() {
    StructField x =
        DataTypes.createStructField("x", DataTypes.createArrayType(DataTypes.IntegerType), true);
    StructField v =
        DataTypes.createStructField("v", DataTypes.createArrayType(DataTypes.FloatType), true);
    List<Row> withNull =
        List.of(
            RowFactory.create(new Integer[] {1, 2, 3}, new Float[] {1f, 2f, 3f}),
            RowFactory.create(new Integer[] {1, null, 3}, new Float[] {1f, 2f, 3f}),
            RowFactory.create(new Integer[] {4, 5, 6}, null));
    OnnxTransformer t = new OnnxTransformer().setModelPath(data.resolve("rows.onnx").toString());
    Exception e =
        assertThrows(Exception.class, () -> t.transform(xv(withNull, x, v)).collectAsList());
    assertTrue(messages(e).contains("column 'x', partition 0, row 1: null"), messages(e));
    List<Row> got = t.setPassNulls(true).transform(xv(withNull, x, v)).collectAsList();
    assertEquals(6L, got.get(0).getLong(2));
    assertNull(got.get(1).get(2));
    assertNull(got.get(2).get(3));
    List<Row> ragged =
        List.of(
            RowFactory.create(new Integer[] {1, 2, 3}, new Float[] {1f, 2f, 3f}),
            RowFactory.create(new Integer[] {1, 2}, new Float[] {1f, 2f, 3f}));
    Exception r =
        assertThrows(Exception.class, () -> t.transform(xv(ragged, x, v)).collectAsList());
    assertTrue(messages(r).contains("column 'x', partition 0, row 1: 2 value(s)"), messages(r));
  }
}
