package io.jvmready.onnxruntime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmready.DType;
import io.jvmready.Npz;
import io.jvmready.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every test model run in Java on the inputs Python wrote gives exactly the outputs Python
 * onnxruntime computed (tests/vectors/make_models.py). Inputs go in as core {@link Tensor}s.
 */
class PythonParityTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "int64_model", "int32_model", "float_model", "double_model", "multi_input", "logreg"
      })
  void outputsEqualPythonOnnxruntime(String name) throws IOException {
    try (ModelRunner runner = ModelRunner.open(Models.model(name));
        Npz inputs = Npz.open(Models.dir().resolve(name + ".inputs.npz"));
        Npz expected = Npz.open(Models.dir().resolve(name + ".expected.npz"))) {
      Map<String, Object> values = new LinkedHashMap<>();
      for (String n : inputs.names()) {
        values.put(n, inputs.get(n));
      }
      try (Result r = runner.run(values)) {
        List<String> compared = new ArrayList<>();
        for (String out : r.names()) {
          IoSpec spec = runner.outputs().get(out);
          if (spec.isSequenceOfMaps()) {
            Tensor keys = expected.get(out + ".keys");
            Tensor probs = expected.get(out + ".values");
            List<Map<Long, Float>> maps = r.zipMap(out);
            assertEquals(keys.shape()[0], maps.size());
            long[] k = keys.toLongArray();
            float[] v = probs.toFloatArray();
            int i = 0;
            for (Map<Long, Float> m : maps) {
              for (Map.Entry<Long, Float> e : m.entrySet()) {
                assertEquals(k[i], e.getKey(), out + " key " + i);
                assertEquals(v[i], e.getValue(), 0.0f, out + " value " + i);
                i++;
              }
            }
            assertEquals(k.length, i);
          } else {
            Tensor want = expected.get(out);
            assertArrayEquals(want.shape(), r.shape(out), out);
            if (want.dtype() == DType.INT64) {
              assertEquals("tensor(int64)", r.type(out));
              assertArrayEquals(want.toLongArray(), r.longs(out), out);
            } else if (want.dtype() == DType.INT32) {
              assertEquals("tensor(int32)", r.type(out));
              assertArrayEquals(want.toIntArrayExact(), r.intsExact(out), out);
            } else if (want.dtype() == DType.FLOAT32) {
              assertArrayEquals(want.toFloatArray(), r.floats(out), 0.0f, out);
            } else {
              assertEquals(DType.FLOAT64, want.dtype());
              assertArrayEquals(want.toDoubleArray(), r.doubles(out), 0.0, out);
            }
          }
          compared.add(out);
        }
        assertEquals(List.copyOf(runner.outputs().keySet()), compared);
      }
    }
  }

  @org.junit.jupiter.api.Test
  void stringLabelsAndZipMapStringsEqualPython() throws IOException {
    try (ModelRunner runner = ModelRunner.open(Models.model("logreg_strings"));
        Npz inputs = Npz.open(Models.dir().resolve("logreg_strings.inputs.npz"));
        Npz expected = Npz.open(Models.dir().resolve("logreg_strings.expected.npz"))) {
      assertEquals(
          "List<Map<String, Float>>", runner.outputs().get("output_probability").javaType());
      // The input is float32 as Python wrote it; pass it as float[] with the shape via Input.
      Tensor x = inputs.get("X");
      try (Result r =
          runner.run("X", Input.of(java.nio.FloatBuffer.wrap(x.toFloatArray()), x.shape()))) {
        List<String> labels = lines("output_label");
        assertEquals(labels, List.of(r.strings("output_label")));
        List<String> keys = lines("output_probability.keys");
        float[] probs = expected.get("output_probability.values").toFloatArray();
        int i = 0;
        for (Map<String, Float> m : r.zipMapStrings("output_probability")) {
          for (Map.Entry<String, Float> e : m.entrySet()) {
            assertEquals(keys.get(i), e.getKey());
            assertEquals(probs[i], e.getValue(), 0.0f);
            i++;
          }
        }
        assertEquals(keys.size(), i);
        assertTrue(i > 0);
      }
    }
  }

  private static List<String> lines(String entry) throws IOException {
    return Files.readAllLines(
        Models.dir().resolve("logreg_strings.expected." + entry + ".txt"), StandardCharsets.UTF_8);
  }
}
