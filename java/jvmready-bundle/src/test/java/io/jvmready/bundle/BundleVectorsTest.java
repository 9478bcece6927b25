package io.jvmready.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvmready.DType;
import io.jvmready.IntegerWidthException;
import io.jvmready.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Reads the bundles tests/vectors/make_bundles.py wrote and checks every value and refusal. */
class BundleVectorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path dir() {
    String root = System.getProperty("jvmready.testdata");
    assertTrue(root != null, "system property jvmready.testdata is not set (run via Maven)");
    Path d = Path.of(root, "bundles");
    assertTrue(Files.isDirectory(d), d + " is missing: run make vectors first");
    return d;
  }

  private static JsonNode expected() throws IOException {
    return JSON.readTree(dir().resolve("expected.json").toFile());
  }

  @TestFactory
  Stream<DynamicTest> everyBundleReadsExactly() throws IOException {
    JsonNode bundles = expected().get("bundles");
    List<DynamicTest> tests = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : bundles.properties()) {
      tests.add(DynamicTest.dynamicTest(e.getKey(), () -> checkBundle(e.getKey(), e.getValue())));
    }
    assertEquals(6, tests.size(), "edge and narrowed bundles in three formats");
    return tests.stream();
  }

  private static void checkBundle(String file, JsonNode want) throws IOException {
    try (Bundle b = Bundle.open(dir().resolve(file))) {
      assertEquals(BundleFormat.valueOf(want.get("format").textValue()), b.format());
      JsonNode m = want.get("manifest");
      Manifest got = b.manifest();
      assertEquals(m.get("format_version").intValue(), got.formatVersion());
      assertEquals(m.get("model_name").textValue(), got.modelName());
      assertEquals(strings(m.get("class_labels")), got.classLabels());
      assertEquals(strings(m.get("feature_names")), got.featureNames());
      assertEquals(map(m.get("roles")), got.roles());
      assertEquals(map(m.get("producers")), got.producers());
      JsonNode tensors = want.get("tensors");
      assertEquals(tensors.size(), b.names().size());
      for (Map.Entry<String, JsonNode> t : tensors.properties()) {
        checkTensor(b.tensor(t.getKey()), t.getValue());
      }
    }
  }

  private static void checkTensor(Tensor t, JsonNode want) {
    String what = t.name();
    DType dtype = DType.valueOf(want.get("dtype").textValue());
    assertEquals(dtype, t.dtype(), what);
    long[] shape = new long[want.get("shape").size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = want.get("shape").get(i).longValue();
    }
    assertArrayEquals(shape, t.shape(), what);
    JsonNode values = want.get("values");
    assertEquals(values.size(), t.size(), what);
    float[] floats = dtype == DType.FLOAT32 ? t.toFloatArray() : null;
    for (int i = 0; i < values.size(); i++) {
      String v = values.get(i).textValue();
      String at = what + "[" + i + "]";
      if (dtype == DType.FLOAT32) {
        // Float.compare: NaN equals NaN, -0.0 differs from 0.0: bit-level agreement.
        assertEquals(0, Float.compare((float) Double.parseDouble(v), floats[i]), at + " = " + v);
      } else if (dtype == DType.FLOAT64) {
        assertEquals(0, Double.compare(Double.parseDouble(v), t.getDouble(i)), at + " = " + v);
      } else {
        assertEquals(Long.parseLong(v), t.getLong(i), at);
      }
    }
  }

  @Test
  void checkedAccessRefusesWideValuesNamingTensorIndexAndValue() throws IOException {
    for (String file : List.of("edge.safetensors", "edge.pb", "edge.avro")) {
      try (Bundle b = Bundle.open(dir().resolve(file))) {
        IntegerWidthException e =
            assertThrows(IntegerWidthException.class, () -> b.tensor("i64_wide").toIntArrayExact());
        assertEquals("i64_wide", e.tensor(), file);
        assertEquals(0, e.index(), file);
        assertEquals("2147483653", e.value(), file);
        assertArrayEquals(
            new int[] {1, 2, 3, 4, -5, Integer.MAX_VALUE},
            b.tensor("i64_small").toIntArrayExact(),
            file);
        assertArrayEquals(
            new long[] {2147483653L, -2147483649L, Long.MAX_VALUE, Long.MIN_VALUE},
            b.tensor("i64_wide").toLongArray(),
            file);
        Tensor scalar = b.tensor("scalar");
        assertEquals(0, scalar.shape().length, file);
        assertEquals(42, scalar.getLong(0), file);
        assertEquals(0, b.tensor("empty").toFloatArray().length, file);
        assertEquals(Integer.MIN_VALUE, b.tensor("i32_edges").toIntArrayExact()[0], file);
        assertEquals(java.util.Optional.of("ids"), b.manifest().role("i64_wide"), file);
        NoSuchElementException missing =
            assertThrows(NoSuchElementException.class, () -> b.tensor("nope"));
        assertTrue(missing.getMessage().contains("no tensor 'nope'"), missing.getMessage());
      }
    }
  }

  @Test
  void narrowedBundlesHoldInt32() throws IOException {
    for (String file : List.of("narrowed.safetensors", "narrowed.pb", "narrowed.avro")) {
      try (Bundle b = Bundle.open(dir().resolve(file))) {
        assertEquals(DType.INT32, b.tensor("ids").dtype(), file);
        assertArrayEquals(
            new int[] {0, 7, Integer.MAX_VALUE, Integer.MIN_VALUE},
            b.tensor("ids").toIntArrayExact(),
            file);
        assertEquals(DType.FLOAT32, b.tensor("w").dtype(), file);
      }
    }
  }

  @TestFactory
  Stream<DynamicTest> corruptBundlesAreRefusedNamingFileAndProblem() throws IOException {
    JsonNode corrupt = expected().get("corrupt");
    List<DynamicTest> tests = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : corrupt.properties()) {
      String file = e.getKey();
      String text = e.getValue().textValue();
      tests.add(
          DynamicTest.dynamicTest(
              file,
              () -> {
                IOException x =
                    assertThrows(IOException.class, () -> Bundle.open(dir().resolve(file)).close());
                String msg = x.getMessage();
                assertTrue(msg.contains(file), "names the file: " + msg);
                assertTrue(msg.contains(text), "expected '" + text + "' in: " + msg);
                assertTrue(!msg.contains("\n"), "one line: " + msg);
              }));
    }
    assertTrue(tests.size() >= 15, "corrupt cases: " + tests.size());
    return tests.stream();
  }

  @Test
  void closedBundleRefusesAccess() throws IOException {
    Bundle b = Bundle.open(dir().resolve("edge.pb"));
    b.close();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.tensor("scalar"));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.textValue()));
    return out;
  }

  private static Map<String, String> map(JsonNode object) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : object.properties()) {
      out.put(e.getKey(), e.getValue().textValue());
    }
    return out;
  }
}
