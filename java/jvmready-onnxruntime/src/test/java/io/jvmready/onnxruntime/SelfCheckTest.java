package io.jvmready.onnxruntime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Replays samples Python embedded (tests/vectors/make_samples.py) in real ONNX Runtime Java. */
class SelfCheckTest {
  private static Path samples(String file) {
    String dir = System.getProperty("jvmready.testdata");
    Path p = Path.of(dir == null ? "build/testvectors" : dir, "samples", file);
    assertTrue(Files.isRegularFile(p), p + " is missing: run `make vectors` first");
    return p;
  }

  @Test
  void int32ModelReplaysSamplesMadeAgainstItsInt64Original() throws IOException {
    try (ModelRunner runner = ModelRunner.open(samples("gather_int32.onnx"))) {
      assertEquals("int32", runner.inputs().get("ids").elementType());
      SelfCheckReport report = runner.selfCheck();
      assertEquals(5, report.samples());
      assertEquals(List.of("s", "am"), report.outputs());
      assertEquals(1e-5, report.rtol());
      assertEquals(1e-6, report.atol());
    }
  }

  @Test
  void tamperedExpectedValueIsNamedByOutputSampleAndIndex() throws IOException {
    String json = Files.readString(samples("gather_tampered.json"));
    try (ModelRunner runner = ModelRunner.open(samples("gather_tampered.onnx"))) {
      SelfCheckException e = assertThrows(SelfCheckException.class, runner::selfCheck);
      assertEquals(field(json, "output"), e.output());
      assertEquals(Integer.parseInt(field(json, "sample")), e.sample());
      assertEquals(Long.parseLong(field(json, "index")), e.index());
      double expected = Double.parseDouble(field(json, "expected"));
      assertEquals(expected, Double.parseDouble(e.expected()), 1e-6);
      assertEquals(Double.parseDouble(field(json, "actual")), Double.parseDouble(e.actual()), 1e-6);
      assertTrue(e.getMessage().contains("output 's' sample 2 index [1] (flat 1)"), e.getMessage());
    }
  }

  @Test
  void zipMapOutputsCompareKeyByKey() throws IOException {
    try (ModelRunner runner = ModelRunner.open(samples("classifier.onnx"))) {
      SelfCheckReport report = runner.selfCheck();
      assertEquals(4, report.samples());
      assertEquals(List.of("output_label", "output_probability"), report.outputs());
    }
  }

  @Test
  void modelWithoutSamplesSaysSo() throws IOException {
    try (ModelRunner runner = ModelRunner.open(samples("no_samples.onnx"))) {
      SelfCheckException e = assertThrows(SelfCheckException.class, runner::selfCheck);
      assertTrue(e.getMessage().contains("no 'jvmready.samples' metadata"), e.getMessage());
      assertNull(e.output());
    }
  }

  @Test
  void toleranceAndIndexHelpers() {
    double[] tol = SelfCheck.tolerance("{\"rtol\": 1e-05, \"atol\": 2.5e-7}");
    assertEquals(1e-5, tol[0]);
    assertEquals(2.5e-7, tol[1]);
    assertEquals("[1, 2]", SelfCheck.multiIndex(5, new long[] {2, 3}));
    assertTrue(SelfCheck.close(Double.NaN, Double.NaN, 0, 0));
    assertTrue(!SelfCheck.close(1.0, 1.1, 1e-5, 1e-6));
    assertThrows(SelfCheckException.class, () -> SelfCheck.tolerance("{\"rtol\": 1}"));
  }

  private static String field(String json, String key) {
    Matcher m = Pattern.compile("\"" + key + "\":\\s*\"?([^\",}]+)\"?").matcher(json);
    assertTrue(m.find(), key + " in " + json);
    return m.group(1).trim();
  }
}
