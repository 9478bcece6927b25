package io.jvmready.spark;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.jvmready.onnxruntime.ModelRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One ONNX Runtime session per model (and thread setting) per JVM (driver or executor), keyed by the SHA-256 of the
 * model bytes, shared by every task the JVM runs and closed when the JVM shuts down. A session is
 * thread safe, and opening one per task or per partition would cost a model load each time.
 */
final class SessionCache {
  private static final Map<String, ModelRunner> RUNNERS = new ConcurrentHashMap<>();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(SessionCache::closeAll, "jvmready-spark-close-sessions"));
  }

  private SessionCache() {}

  /**
   * The runner for the model with this hash and intra-op thread count, opening it from {@code
   * bytes} the first time. {@code intraOpThreads} 0 keeps ONNX Runtime's default (one thread per
   * core).
   */
  static ModelRunner get(String hash, int intraOpThreads, Supplier<byte[]> bytes) {
    return RUNNERS.computeIfAbsent(
        hash + "/" + intraOpThreads,
        key -> {
          try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            if (intraOpThreads > 0) {
              options.setIntraOpNumThreads(intraOpThreads);
            }
            return ModelRunner.open(bytes.get(), options); // the session copies the options
          } catch (IOException e) {
            throw new UncheckedIOException(
                "model " + hash.substring(0, 12) + ": " + e.getMessage(), e);
          } catch (OrtException e) {
            throw new IllegalStateException(
                "model " + hash.substring(0, 12) + ": session options: " + e.getMessage(), e);
          }
        });
  }

  /** Number of open sessions in this JVM. */
  static int size() {
    return RUNNERS.size();
  }

  /** Closes every session (the shutdown hook; also usable by tests). */
  static void closeAll() {
    for (String hash : RUNNERS.keySet()) {
      ModelRunner r = RUNNERS.remove(hash);
      if (r != null) {
        r.close();
      }
    }
  }

  /** Hex SHA-256 of the model bytes: the cache key, equal on every JVM for the same model. */
  static String hash(byte[] model) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
