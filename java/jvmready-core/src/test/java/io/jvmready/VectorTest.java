package io.jvmready;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Reads every vector listed in {@code core/manifest.json} (written by
 * {@code tests/vectors/make_vectors.py} with numpy and safetensors) and asserts exact values and
 * exact failures. Good vectors are read three ways: mapped with the default region size, mapped
 * with tiny odd-sized regions (so elements straddle region boundaries) and, for npz, from memory
 * and with deflated entries spilled to temporary files.
 */
class VectorTest {

  static Path vectorDir() {
    String dir = System.getProperty("jvmready.testdata");
    if (dir == null) {
      fail("system property jvmready.testdata is not set; run the tests through Maven (make test)");
    }
    Path core = Path.of(dir, "core");
    if (!Files.isRegularFile(core.resolve("manifest.json"))) {
      fail("test vectors missing: " + core.resolve("manifest.json") + " not found; run `make vectors`");
    }
    return core;
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> manifest() throws IOException {
    Path file = vectorDir().resolve("manifest.json");
    Map<String, Object> m =
        (Map<String, Object>) Json.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    return (List<Map<String, Object>>) (List<?>) m.get("vectors");
  }

  @TestFactory
  Stream<DynamicTest> goodVectorsReadExactly() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    Path dir = vectorDir();
    for (Map<String, Object> v : manifest()) {
      String id = (String) v.get("id");
      if (v.containsKey("skip")) {
        tests.add(DynamicTest.dynamicTest(id, () -> Assumptions.abort("skipped by make_vectors.py: " + v.get("skip"))));
        continue;
      }
      if (v.containsKey("error")) {
        continue;
      }
      Path path = dir.resolve((String) v.get("file"));
      String kind = (String) v.get("kind");
      boolean big = id.startsWith("big/");
      tests.add(DynamicTest.dynamicTest(id, () -> checkContainer(v, kind, path, ByteSource.DEFAULT_REGION, Long.MAX_VALUE, false)));
      int region = (int) Math.max(7, Files.size(path) / 300) | 1;
      tests.add(DynamicTest.dynamicTest(id + " [regions of " + region + " bytes]", () -> checkContainer(v, kind, path, region, 0, false)));
      if (kind.equals("npz") && !big) {
        tests.add(DynamicTest.dynamicTest(id + " [fromBytes]", () -> checkContainer(v, kind, path, 0, 0, true)));
      }
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> corruptVectorsFailClearly() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    Path dir = vectorDir();
    for (Map<String, Object> v : manifest()) {
      if (!v.containsKey("error")) {
        continue;
      }
      String id = (String) v.get("id");
      Path path = dir.resolve((String) v.get("file"));
      String kind = (String) v.get("kind");
      String expected = (String) v.get("error");
      tests.add(DynamicTest.dynamicTest(id, () -> {
        Exception e = assertThrows(Exception.class, () -> readEverything(kind, path, false));
        String message = String.valueOf(e.getMessage());
        assertTrue(message.contains(expected), () -> "message lacks '" + expected + "': " + message);
        assertTrue(message.contains(path.toString()), () -> "message does not name the file: " + message);
        assertTrue(e instanceof TensorFileException || e instanceof IllegalStateException
            || e instanceof java.io.UncheckedIOException, () -> "unexpected exception type " + e);
      }));
      if (kind.equals("npz")) {
        tests.add(DynamicTest.dynamicTest(id + " [fromBytes]", () -> {
          Exception e = assertThrows(Exception.class, () -> readEverything(kind, path, true));
          assertTrue(String.valueOf(e.getMessage()).contains(expected), e::getMessage);
          assertTrue(String.valueOf(e.getMessage()).contains("bytes:" + path.getFileName()), e::getMessage);
        }));
      }
    }
    return tests.stream();
  }

  /** Opens the file and reads every element of every tensor. */
  static void readEverything(String kind, Path path, boolean fromBytes) throws IOException {
    switch (kind) {
      case "npy":
        readAll(Npy.open(path));
        break;
      case "npz":
        try (Npz npz = fromBytes ? Npz.fromBytes("bytes:" + path.getFileName(), Files.readAllBytes(path)) : Npz.open(path)) {
          for (Tensor t : npz.tensors()) {
            readAll(t);
          }
        }
        break;
      default:
        try (SafeTensors st = SafeTensors.open(path)) {
          for (Tensor t : st.tensors()) {
            readAll(t);
          }
        }
    }
  }

  private static void readAll(Tensor t) {
    for (long i = 0; i < t.size(); i++) {
      if (t.dtype().isIntegral()) {
        try {
          t.getLong(i);
        } catch (IntegerWidthException e) {
          // UINT64 beyond long: a valid value, not corruption.
        }
      } else {
        t.getDouble(i);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static void checkContainer(
      Map<String, Object> v, String kind, Path path, int region, long inMemoryLimit, boolean fromBytes)
      throws Exception {
    List<Map<String, Object>> expected = (List<Map<String, Object>>) (List<?>) v.get("tensors");
    List<String> names = new ArrayList<>();
    for (Map<String, Object> e : expected) {
      names.add((String) e.get("name"));
    }
    switch (kind) {
      case "npy":
        checkTensor(Npy.open(path, region), expected.get(0));
        break;
      case "npz":
        try (Npz npz = fromBytes ? Npz.fromBytes("bytes", Files.readAllBytes(path)) : Npz.open(path, region, inMemoryLimit)) {
          assertEquals(names, npz.names());
          for (Map<String, Object> e : expected) {
            checkTensor(npz.get((String) e.get("name")), e);
          }
        }
        break;
      default:
        try (SafeTensors st = SafeTensors.open(path, region)) {
          assertEquals(names, st.names());
          assertEquals(v.get("metadata"), st.metadata());
          for (Map<String, Object> e : expected) {
            checkTensor(st.get((String) e.get("name")), e);
          }
        }
    }
  }

  private static long[] longs(Object list) {
    List<?> l = (List<?>) list;
    long[] out = new long[l.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (Long) l.get(i);
    }
    return out;
  }

  static double pythonFloat(String text) {
    switch (text) {
      case "nan":
        return Double.NaN;
      case "inf":
        return Double.POSITIVE_INFINITY;
      case "-inf":
        return Double.NEGATIVE_INFINITY;
      default:
        return Double.parseDouble(text);
    }
  }

  /** The element as exact text: what Python's int()/repr(float()) printed. */
  static void assertElement(Tensor t, long i, String expected) {
    if (t.dtype().isIntegral()) {
      String actual;
      try {
        actual = Long.toString(t.getLong(i));
      } catch (IntegerWidthException e) {
        assertEquals(DType.UINT64, t.dtype(), "only UINT64 may exceed long");
        assertEquals(i, e.index());
        actual = e.value();
      }
      assertEquals(expected, actual, () -> t.name() + "[" + i + "]");
    } else {
      double want = pythonFloat(expected);
      assertEquals(Double.doubleToLongBits(want), Double.doubleToLongBits(t.getDouble(i)),
          () -> t.name() + "[" + i + "] expected " + expected + " got " + t.getDouble(i));
    }
  }

  @SuppressWarnings("unchecked")
  private static void checkTensor(Tensor t, Map<String, Object> e) throws NoSuchAlgorithmException {
    String name = (String) e.get("name");
    assertEquals(name, t.name());
    assertEquals(DType.valueOf((String) e.get("dtype")), t.dtype());
    long[] shape = longs(e.get("shape"));
    assertArrayEquals(shape, t.shape());
    long size = 1;
    for (long d : shape) {
      size *= d;
    }
    assertEquals(size, t.size());
    if (e.containsKey("samples")) {
      for (Object o : (List<?>) e.get("samples")) {
        List<?> pair = (List<?>) o;
        assertElement(t, (Long) pair.get(0), (String) pair.get(1));
      }
    }
    if (e.containsKey("sha256")) {
      assertEquals(e.get("sha256"), sha256(t), () -> "checksum of " + name);
    }
    if (!e.containsKey("values")) {
      return;
    }
    List<String> values = (List<String>) (List<?>) e.get("values");
    assertEquals(size, values.size());
    for (int i = 0; i < values.size(); i++) {
      assertElement(t, i, values.get(i));
    }
    if (t.dtype().isIntegral()) {
      checkIntegralBulk(t, values, (Map<String, Object>) nullable(e.get("int32")), (Map<String, Object>) nullable(e.get("int64")));
    } else {
      checkFloatBulk(t, values);
    }
  }

  private static Object nullable(Object o) {
    return o == Json.NULL ? null : o;
  }

  private static void assertMisfit(Map<String, Object> misfit, String name, IntegerWidthException e) {
    assertEquals(name, e.tensor());
    assertEquals((long) (Long) misfit.get("index"), e.index());
    assertEquals(misfit.get("value"), e.value());
    assertTrue(e.getMessage().contains(name) && e.getMessage().contains(e.value()), e::getMessage);
    assertTrue(!e.source().isEmpty() && e.getMessage().startsWith(e.source() + ": "), e::getMessage);
  }

  private static void checkIntegralBulk(
      Tensor t, List<String> values, Map<String, Object> int32, Map<String, Object> int64) {
    int n = values.size();
    if (int64 != null) {
      assertMisfit(int64, t.name(), assertThrows(IntegerWidthException.class, t::toLongArray));
      assertMisfit(int64, t.name(), assertThrows(IntegerWidthException.class, t::asLongBuffer));
    } else {
      long[] all = t.toLongArray();
      LongBuffer buf = t.asLongBuffer();
      assertEquals(n, buf.remaining());
      for (int i = 0; i < n; i++) {
        assertEquals(values.get(i), Long.toString(all[i]));
        assertEquals(all[i], buf.get(i));
      }
    }
    if (int32 != null) {
      assertMisfit(int32, t.name(), assertThrows(IntegerWidthException.class, t::toIntArrayExact));
      assertMisfit(int32, t.name(), assertThrows(IntegerWidthException.class, t::asIntBufferExact));
    } else {
      int[] all = t.toIntArrayExact();
      IntBuffer buf = t.asIntBufferExact();
      for (int i = 0; i < n; i++) {
        assertEquals(values.get(i), Integer.toString(all[i]));
        assertEquals(all[i], buf.get(i));
        assertEquals(all[i], t.getIntExact(i));
      }
    }
    // Doubles and floats: exact or a refusal at the first value that would round.
    int firstInexactDouble = -1;
    int firstInexactFloat = -1;
    for (int i = 0; i < n; i++) {
      BigDecimal exact = new BigDecimal(new BigInteger(values.get(i)));
      if (firstInexactDouble < 0 && new BigDecimal(exact.doubleValue()).compareTo(exact) != 0) {
        firstInexactDouble = i;
      }
      if (firstInexactFloat < 0 && new BigDecimal(exact.floatValue()).compareTo(exact) != 0) {
        firstInexactFloat = i;
      }
    }
    if (firstInexactDouble >= 0) {
      IntegerWidthException e = assertThrows(IntegerWidthException.class, t::toDoubleArray);
      assertEquals(firstInexactDouble, e.index());
      assertEquals(values.get(firstInexactDouble), e.value());
    } else {
      double[] d = t.toDoubleArray();
      for (int i = 0; i < n; i++) {
        assertEquals(new BigDecimal(new BigInteger(values.get(i))).doubleValue(), d[i]);
      }
    }
    if (firstInexactFloat >= 0) {
      IntegerWidthException e = assertThrows(IntegerWidthException.class, t::toFloatArray);
      assertEquals(firstInexactFloat, e.index());
      assertEquals(values.get(firstInexactFloat), e.value());
    } else {
      float[] f = t.toFloatArray();
      for (int i = 0; i < n; i++) {
        assertEquals(new BigDecimal(new BigInteger(values.get(i))).floatValue(), f[i]);
      }
    }
  }

  private static void checkFloatBulk(Tensor t, List<String> values) {
    assertThrows(UnsupportedOperationException.class, () -> t.getLong(0));
    assertThrows(UnsupportedOperationException.class, t::toLongArray);
    assertThrows(UnsupportedOperationException.class, t::toIntArrayExact);
    double[] d = t.toDoubleArray();
    for (int i = 0; i < values.size(); i++) {
      assertEquals(Double.doubleToLongBits(pythonFloat(values.get(i))), Double.doubleToLongBits(d[i]));
    }
    if (t.dtype() == DType.FLOAT64) {
      assertThrows(UnsupportedOperationException.class, t::toFloatArray);
    } else {
      float[] f = t.toFloatArray();
      for (int i = 0; i < values.size(); i++) {
        assertEquals(Float.floatToIntBits((float) pythonFloat(values.get(i))), Float.floatToIntBits(f[i]));
      }
    }
  }

  /** SHA-256 of the elements as little-endian bytes in C order, as Python computed it. */
  static String sha256(Tensor t) throws NoSuchAlgorithmException {
    StoredTensor s = (StoredTensor) t;
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    int item = t.dtype().itemSize();
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    for (long i = 0; i < t.size(); i++) {
      b.clear();
      b.putLong(s.rawBits(i));
      md.update(b.array(), 0, item);
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
