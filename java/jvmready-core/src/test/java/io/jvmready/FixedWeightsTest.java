package io.jvmready;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Reads the weight files {@code jvmready fix} wrote (see {@code tests/vectors/make_fixed_weights.py})
 * and asserts that every narrowed array comes back as int32 with exactly the original values, and
 * that the array kept 64-bit with {@code --keep} still refuses {@code toIntArrayExact()}.
 */
class FixedWeightsTest {

  private static Path dir() {
    String base = System.getProperty("jvmready.testdata");
    if (base == null) {
      fail("system property jvmready.testdata is not set; run the tests through Maven (make test)");
    }
    Path d = Path.of(base, "fixed-weights");
    if (!Files.isRegularFile(d.resolve("manifest.json"))) {
      fail("vectors missing: " + d.resolve("manifest.json") + "; run `make vectors`");
    }
    return d;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> manifest(Path d) throws IOException {
    Path file = d.resolve("manifest.json");
    return (Map<String, Object>) Json.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
  }

  @TestFactory
  @SuppressWarnings("unchecked")
  Stream<DynamicTest> fixedFilesReadExactly() throws IOException {
    Path d = dir();
    Map<String, Object> m = manifest(d);
    String kept = (String) m.get("kept");
    List<DynamicTest> tests = new ArrayList<>();
    for (Object o : (List<Object>) m.get("files")) {
      Map<String, Object> file = (Map<String, Object>) o;
      Path path = d.resolve((String) file.get("file"));
      String kind = (String) file.get("kind");
      for (Object t : (List<Object>) file.get("tensors")) {
        Map<String, Object> expected = (Map<String, Object>) t;
        String name = (String) expected.get("name");
        tests.add(
            DynamicTest.dynamicTest(
                file.get("file") + " " + name, () -> check(kind, path, expected, name.equals(kept))));
      }
    }
    return tests.stream();
  }

  private static void check(String kind, Path path, Map<String, Object> expected, boolean kept)
      throws IOException {
    String name = (String) expected.get("name");
    switch (kind) {
      case "npy" -> assertTensor(Npy.open(path), expected, kept);
      case "npz" -> {
        try (Npz npz = Npz.open(path)) {
          assertTensor(npz.get(name), expected, kept);
        }
      }
      case "safetensors" -> {
        try (SafeTensors st = SafeTensors.open(path)) {
          assertEquals("make_fixed_weights", st.metadata().get("source"), "metadata kept by fix");
          assertTensor(st.get(name), expected, kept);
        }
      }
      default -> fail("unknown kind " + kind);
    }
  }

  @SuppressWarnings("unchecked")
  private static void assertTensor(Tensor tensor, Map<String, Object> expected, boolean kept) {
    assertEquals(DType.valueOf((String) expected.get("dtype")), tensor.dtype());
    List<Object> shape = (List<Object>) expected.get("shape");
    long[] wantShape = shape.stream().mapToLong(x -> ((Number) x).longValue()).toArray();
    assertArrayEquals(wantShape, tensor.shape());
    List<Object> values = (List<Object>) expected.get("values");
    long[] want = values.stream().mapToLong(v -> Long.parseLong((String) v)).toArray();
    assertArrayEquals(want, tensor.toLongArray());
    if (kept) {
      assertThrows(IntegerWidthException.class, tensor::toIntArrayExact);
    } else {
      int[] ints = tensor.toIntArrayExact();
      assertEquals(want.length, ints.length);
      for (int i = 0; i < want.length; i++) {
        assertEquals(want[i], ints[i], "flat index " + i);
      }
    }
  }
}
