package io.jvmready.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvmready.SafeTensors;
import io.jvmready.Tensor;
import io.jvmready.TensorFileException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** safetensors bundles: tensors memory-mapped by core's reader, manifest JSON in the metadata. */
final class SafetensorsBundles {
  /** Key of the manifest in the safetensors {@code __metadata__}. */
  static final String MANIFEST_KEY = "jvmready.manifest";

  private static final ObjectMapper JSON = new ObjectMapper();

  private SafetensorsBundles() {}

  static Bundle read(Path path) throws IOException {
    SafeTensors st = SafeTensors.open(path);
    try {
      String source = path.toString();
      String text = st.metadata().get(MANIFEST_KEY);
      if (text == null) {
        throw new TensorFileException(
            source,
            "safetensors file has no " + MANIFEST_KEY + " metadata: not a jvmready bundle");
      }
      Manifest manifest = Manifest.checked(source, parse(source, text));
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      for (Tensor t : st.tensors()) {
        tensors.put(t.name(), t);
      }
      return new Bundle(source, BundleFormat.SAFETENSORS, manifest, tensors, st);
    } catch (IOException | RuntimeException e) {
      st.close();
      throw e;
    }
  }

  private static Manifest parse(String source, String text) throws TensorFileException {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new TensorFileException(
          source, "bundle manifest is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new TensorFileException(source, "bundle manifest is not an object");
    }
    JsonNode version = root.get("format_version");
    if (version == null || !version.isInt()) {
      throw new TensorFileException(source, "bundle manifest has a bad format_version " + version);
    }
    return new Manifest(
        version.intValue(),
        string(source, root, "model_name"),
        map(source, root, "roles"),
        list(source, root, "class_labels"),
        list(source, root, "feature_names"),
        map(source, root, "producers"));
  }

  private static String string(String source, JsonNode root, String field)
      throws TensorFileException {
    JsonNode n = root.get(field);
    if (n == null) {
      return "";
    }
    if (!n.isTextual()) {
      throw new TensorFileException(source, "bundle manifest field " + field + " is not a string");
    }
    return n.textValue();
  }

  private static List<String> list(String source, JsonNode root, String field)
      throws TensorFileException {
    JsonNode n = root.get(field);
    List<String> out = new ArrayList<>();
    if (n == null) {
      return out;
    }
    if (!n.isArray()) {
      throw new TensorFileException(
          source, "bundle manifest field " + field + " is not a list of strings");
    }
    for (JsonNode item : n) {
      if (!item.isTextual()) {
        throw new TensorFileException(
            source, "bundle manifest field " + field + " is not a list of strings");
      }
      out.add(item.textValue());
    }
    return out;
  }

  private static Map<String, String> map(String source, JsonNode root, String field)
      throws TensorFileException {
    JsonNode n = root.get(field);
    Map<String, String> out = new LinkedHashMap<>();
    if (n == null) {
      return out;
    }
    if (!n.isObject()) {
      throw new TensorFileException(source, "bundle manifest field " + field + " is not a string map");
    }
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      if (!e.getValue().isTextual()) {
        throw new TensorFileException(
            source, "bundle manifest field " + field + " is not a string map");
      }
      out.put(e.getKey(), e.getValue().textValue());
    }
    return out;
  }
}
