package io.jvmready;

/** Whether the container a tensor came from is still open; shared by its tensors. */
final class Lifetime {
  /** A lifetime that never ends: lone npy files and in-memory tensors. */
  static final Lifetime FOREVER = new Lifetime("");

  private final String source;
  private volatile boolean closed;

  Lifetime(String source) {
    this.source = source;
  }

  void close() {
    closed = true;
  }

  void check(String tensor) {
    if (closed) {
      throw new IllegalStateException(source + ": closed; tensor '" + tensor + "' can no longer be read");
    }
  }
}
