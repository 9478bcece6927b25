package io.jvmready.bundle;

import io.jvmready.TensorFileException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a bundle's tensors are, as the Python side wrote it.
 *
 * @param formatVersion schema version of the bundle (readers refuse newer ones)
 * @param modelName the model's name
 * @param roles tensor name to role (for example {@code "weights"} or {@code "ids"})
 * @param classLabels class labels in output order
 * @param featureNames input feature names in order
 * @param producers library name to version (jvmready, numpy, python...)
 */
public record Manifest(
    int formatVersion,
    String modelName,
    Map<String, String> roles,
    List<String> classLabels,
    List<String> featureNames,
    Map<String, String> producers) {

  /** The newest bundle format version this library reads. */
  public static final int FORMAT_VERSION = 1;

  /** Copies the collections, so a manifest never changes after construction. */
  public Manifest {
    roles = Map.copyOf(roles);
    classLabels = List.copyOf(classLabels);
    featureNames = List.copyOf(featureNames);
    producers = Map.copyOf(producers);
  }

  /**
   * The role the manifest gives a tensor.
   *
   * @param tensor tensor name
   * @return its role, or empty if the manifest gives none
   */
  public Optional<String> role(String tensor) {
    return Optional.ofNullable(roles.get(tensor));
  }

  /** Refuses a manifest whose version this library does not know. */
  static Manifest checked(String source, Manifest m) throws TensorFileException {
    if (m.formatVersion() < 1) {
      throw new TensorFileException(
          source, "bundle manifest has a bad format_version " + m.formatVersion());
    }
    if (m.formatVersion() > FORMAT_VERSION) {
      throw new TensorFileException(
          source,
          "bundle format version "
              + m.formatVersion()
              + " is newer than this jvmready reads ("
              + FORMAT_VERSION
              + "); upgrade jvmready-bundle");
    }
    return m;
  }
}
