package io.jvmready.bundle;

import io.jvmready.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A jvmready bundle: named tensors plus a {@link Manifest}, read from any of its three encodings
 * (safetensors, protobuf, Avro) with the same checked {@link Tensor} access. Every tensor's dtype,
 * shape and byte count is validated when the bundle is opened.
 *
 * <pre>{@code
 * try (Bundle b = Bundle.open(Path.of("model.safetensors"))) {
 *   List<String> labels = b.manifest().classLabels();
 *   int[] ids = b.tensor("ids").toIntArrayExact(); // throws IntegerWidthException if one does not fit
 * }
 * }</pre>
 */
public final class Bundle implements AutoCloseable {
  private final String source;
  private final BundleFormat format;
  private final Manifest manifest;
  private final Map<String, Tensor> tensors;
  private final AutoCloseable resource;
  private volatile boolean closed;

  Bundle(
      String source,
      BundleFormat format,
      Manifest manifest,
      Map<String, Tensor> tensors,
      AutoCloseable resource) {
    this.source = source;
    this.format = format;
    this.manifest = manifest;
    this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    this.resource = resource;
  }

  /**
   * Opens a bundle, detecting its encoding from its first bytes (else its extension).
   *
   * @param path the bundle file
   * @return the bundle; close it to release a memory-mapped file
   * @throws io.jvmready.TensorFileException if the file is not a valid bundle (the message names the
   *     file, the tensor and the problem)
   * @throws IOException if the file cannot be read
   */
  public static Bundle open(Path path) throws IOException {
    switch (BundleFormat.detect(path)) {
      case SAFETENSORS:
        return SafetensorsBundles.read(path);
      case PROTOBUF:
        return ProtobufBundles.read(path);
      case AVRO:
        return AvroBundles.read(path);
      default:
        throw new AssertionError("unhandled bundle format");
    }
  }

  /** The encoding the bundle was read from. */
  public BundleFormat format() {
    return format;
  }

  /** The bundle's manifest: model name, roles, class labels, feature names, producers. */
  public Manifest manifest() {
    return manifest;
  }

  /** Tensor names in file order. */
  public List<String> names() {
    return List.copyOf(tensors.keySet());
  }

  /**
   * Whether the bundle holds a tensor of this name.
   *
   * @param name tensor name
   * @return true if present
   */
  public boolean contains(String name) {
    return tensors.containsKey(name);
  }

  /**
   * The tensor called {@code name}.
   *
   * @param name tensor name
   * @return the tensor, with checked narrowing accessors
   * @throws NoSuchElementException if there is none (the message lists the names)
   * @throws IllegalStateException if the bundle is closed
   */
  public Tensor tensor(String name) {
    if (closed) {
      throw new IllegalStateException(source + ": bundle is closed");
    }
    Tensor t = tensors.get(name);
    if (t == null) {
      throw new NoSuchElementException(
          source + ": no tensor '" + name + "'; it has " + tensors.keySet());
    }
    return t;
  }

  /** All tensors in file order. */
  public List<Tensor> tensors() {
    if (closed) {
      throw new IllegalStateException(source + ": bundle is closed");
    }
    return Collections.unmodifiableList(new ArrayList<>(tensors.values()));
  }

  /** The file this bundle was read from. */
  public String source() {
    return source;
  }

  /** Ends access to the tensors and releases the file. */
  @Override
  public void close() throws IOException {
    closed = true;
    try {
      resource.close();
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(source + ": cannot close: " + e.getMessage(), e);
    }
  }
}
