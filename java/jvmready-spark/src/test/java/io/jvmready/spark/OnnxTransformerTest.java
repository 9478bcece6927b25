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
            .setPassNulls(true);
    String saved = tmp.resolve("saved").toString();
    t.write().save(saved);
    Files.delete(copy); // the saved transformer must not need the original file
    OnnxTransformer loaded = OnnxTransformer.load(saved);
    assertEquals(t.uid(), loaded.uid());
    assertEquals(2, loaded.getBatchSize());
    assertTrue(loaded.getPassNulls());
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
    assertTrue(SessionCache.size() <= 2, "sessions: " + SessionCache.size());
  }
}
