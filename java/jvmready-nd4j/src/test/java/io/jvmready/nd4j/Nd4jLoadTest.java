package io.jvmready.nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Loads the {@code .npy}/{@code .npz} files {@code jvmready fix} wrote (see {@code
 * tests/vectors/make_nd4j.py}) with ND4J and asserts the data type ND4J picks (int32 as {@code
 * INT}, int64 as {@code LONG}, float32 as {@code FLOAT}), the shape and every value, exactly.
 *
 * <p>ND4J 1.0.0-M2.1 reports the deprecated constants {@code INT}/{@code LONG} (not {@code
 * INT32}/{@code INT64}, which are distinct enum values), so the test names them.
 */
@SuppressWarnings("deprecation")
class Nd4jLoadTest {

  /** One line of {@code manifest.tsv}: what numpy reads back from one array. */
  private record Expected(String file, String name, String dtype, long[] shape, String[] values) {
    static Expected parse(String line) {
      String[] f = line.split("\t", -1);
      long[] shape =
          f[3].isEmpty() ? new long[0] : Arrays.stream(f[3].split(",")).mapToLong(Long::parseLong).toArray();
      String[] values = f[4].isEmpty() ? new String[0] : f[4].split(",");
      return new Expected(f[0], f[1], f[2], shape, values);
    }

    DataType nd4jType() {
      return switch (dtype) {
        case "int32" -> DataType.INT;
        case "int64" -> DataType.LONG;
        case "float32" -> DataType.FLOAT;
        default -> throw new AssertionError("manifest dtype not covered: " + dtype);
      };
    }
  }

  private static Path dir() {
    String base = System.getProperty("jvmready.testdata");
    if (base == null) {
      fail("system property jvmready.testdata is not set; run the tests through Maven (make test-integration)");
    }
    Path d = Path.of(base, "nd4j");
    if (!Files.isRegularFile(d.resolve("manifest.tsv"))) {
      fail("vectors missing: " + d.resolve("manifest.tsv") + "; run `make test-integration`");
    }
    return d;
  }

  private static List<Expected> manifest(Path d) throws IOException {
    List<Expected> out = new ArrayList<>();
    for (String line : Files.readAllLines(d.resolve("manifest.tsv"), StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        out.add(Expected.parse(line));
      }
    }
    return out;
  }

  @TestFactory
  Stream<DynamicTest> arraysLoadWithTheirTypeAndExactValues() throws IOException {
    Path d = dir();
    List<Expected> expected = manifest(d);
    assertTrue(expected.size() >= 8, "manifest lists the fixed, kept and source arrays");
    Map<String, Map<String, INDArray>> npz = new HashMap<>();
    List<DynamicTest> tests = new ArrayList<>();
    for (Expected e : expected) {
      tests.add(
          DynamicTest.dynamicTest(
              e.file() + " " + e.name() + " " + e.dtype(),
              () -> {
                INDArray a;
                if (e.file().endsWith(".npz")) {
                  Map<String, INDArray> arrays = npz.get(e.file());
                  if (arrays == null) {
                    arrays = Nd4j.createFromNpzFile(d.resolve(e.file()).toFile());
                    npz.put(e.file(), arrays);
                  }
                  a = arrays.get(e.name());
                  assertNotNull(a, e.file() + " has no array " + e.name() + ": " + arrays.keySet());
                } else {
                  a = Nd4j.createFromNpyFile(new File(d.toFile(), e.file()));
                }
                assertArray(e, a);
              }));
    }
    return tests.stream();
  }

  private static void assertArray(Expected e, INDArray a) {
    String what = e.file() + " " + e.name();
    assertEquals(e.nd4jType(), a.dataType(), what + ": data type");
    assertArrayEquals(e.shape(), a.shape(), what + ": shape");
    // A C-order copy, so the buffer holds the values in the order the manifest lists them.
    INDArray c = a.dup('c');
    switch (e.nd4jType()) {
      case INT -> assertArrayEquals(
          Arrays.stream(e.values()).mapToInt(Integer::parseInt).toArray(), c.data().asInt(), what);
      case LONG -> assertArrayEquals(
          Arrays.stream(e.values()).mapToLong(Long::parseLong).toArray(), c.data().asLong(), what);
      case FLOAT -> {
        float[] want = new float[e.values().length];
        for (int i = 0; i < want.length; i++) {
          want[i] = Float.parseFloat(e.values()[i]);
        }
        assertArrayEquals(want, c.data().asFloat(), 0.0f, what);
      }
      default -> throw new AssertionError(e.dtype());
    }
  }

  @TestFactory
  Stream<DynamicTest> fixTurnsNumpyInt64IntoNd4jInt() throws IOException {
    // What the user sees: numpy's int64 loads as LONG (toIntVector() is then a lossy cast);
    // the file fix wrote loads as INT. The kept array stays LONG with values beyond int32.
    Path d = dir();
    List<Expected> expected = manifest(d);
    List<DynamicTest> tests = new ArrayList<>();
    for (String name : List.of("ids", "labels")) {
      tests.add(
          DynamicTest.dynamicTest(
              name,
              () -> {
                assertEquals(
                    DataType.LONG, Nd4j.createFromNpyFile(d.resolve("source/" + name + ".npy").toFile()).dataType());
                assertEquals(DataType.INT, Nd4j.createFromNpyFile(d.resolve(name + ".npy").toFile()).dataType());
              }));
    }
    tests.add(
        DynamicTest.dynamicTest(
            "offsets kept",
            () -> {
              INDArray kept = Nd4j.createFromNpyFile(d.resolve("offsets.npy").toFile());
              assertEquals(DataType.LONG, kept.dataType());
              Expected e =
                  expected.stream().filter(x -> x.file().equals("offsets.npy")).findFirst().orElseThrow();
              assertTrue(
                  Arrays.stream(e.values()).mapToLong(Long::parseLong).anyMatch(v -> v != (int) v),
                  "the kept array holds a value beyond int32");
            }));
    return tests.stream();
  }

  @Test
  void nd4jOwnIntConversionsLoseValuesBeyondInt32() throws IOException {
    // Why the kept array must stay LONG and be read as long: ND4J's int views of it wrap
    // (toIntVector, castTo) or saturate (getInt) without a word. Documented in
    // docs/tensorflow-nd4j.md; if ND4J ever starts refusing, this test says so.
    Path d = dir();
    Expected e =
        manifest(d).stream().filter(x -> x.file().equals("offsets.npy")).findFirst().orElseThrow();
    long[] truth = Arrays.stream(e.values()).mapToLong(Long::parseLong).toArray();
    assertTrue(truth[1] > Integer.MAX_VALUE, "offsets[1] is beyond int32");
    INDArray kept = Nd4j.createFromNpyFile(d.resolve("offsets.npy").toFile());
    assertArrayEquals(truth, kept.toLongVector(), "read as long: exact");
    int[] wrapped = new int[truth.length];
    for (int i = 0; i < truth.length; i++) {
      wrapped[i] = (int) truth[i];
    }
    assertArrayEquals(wrapped, kept.toIntVector(), "toIntVector wraps like a Java (int) cast");
    assertArrayEquals(wrapped, kept.castTo(DataType.INT).toIntVector(), "castTo(INT) wraps too");
    assertEquals(Integer.MAX_VALUE, kept.getInt(1), "getInt saturates " + truth[1]);
  }
}
