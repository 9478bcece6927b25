package io.jvmready.onnxruntime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the test models written by {@code tests/vectors/make_models.py} live. */
final class Models {
  private Models() {}

  /** {@code <testdata>/models}; fails (never skips) if {@code make vectors} has not run. */
  static Path dir() {
    String root = System.getProperty("jvmready.testdata");
    assertTrue(root != null, "system property jvmready.testdata is not set (run via Maven)");
    Path dir = Path.of(root, "models");
    assertTrue(
        Files.isDirectory(dir),
        dir + " is missing: run `make vectors` (tests/vectors/make_models.py)");
    return dir;
  }

  /** The model file {@code name.onnx}. */
  static Path model(String name) {
    return dir().resolve(name + ".onnx");
  }
}
