package io.jvmready.bundle;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.jvmready.DType;
import io.jvmready.Tensor;
import io.jvmready.TensorFileException;
import io.jvmready.bundle.proto.BundleProtos;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Protobuf bundles, parsed by the code protoc generated from {@code schemas/bundle.proto}. The
 * file is memory-mapped and parsed with aliasing, so tensor bytes are not copied.
 */
final class ProtobufBundles {
  /** Protobuf's limit on one message. */
  static final long MAX_BYTES = Integer.MAX_VALUE;

  private ProtobufBundles() {}

  static Bundle read(Path path) throws IOException {
    String source = path.toString();
    BundleProtos.Bundle message;
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > MAX_BYTES) {
        throw new TensorFileException(source, "over 2 GiB: too large for a protobuf bundle");
      }
      MappedByteBuffer mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
      CodedInputStream in = CodedInputStream.newInstance(mapped);
      in.enableAliasing(true);
      message = BundleProtos.Bundle.parseFrom(in);
    } catch (InvalidProtocolBufferException e) {
      throw new TensorFileException(
          source, "not a valid protobuf bundle (truncated or corrupt: " + e.getMessage() + ")", e);
    }
    if (!BundleFormat.PROTOBUF_MAGIC.equals(message.getMagic())) {
      throw new TensorFileException(
          source, "not a jvmready protobuf bundle (magic field missing)");
    }
    BundleProtos.Manifest m = message.getManifest();
    Manifest manifest =
        Manifest.checked(
            source,
            new Manifest(
                m.getFormatVersion(),
                m.getModelName(),
                m.getRolesMap(),
                m.getClassLabelsList(),
                m.getFeatureNamesList(),
                m.getProducersMap()));
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (BundleProtos.Tensor t : message.getTensorsList()) {
      String name = t.getName();
      if (tensors.containsKey(name)) {
        throw new TensorFileException(source, "tensor name '" + name + "' appears twice");
      }
      long[] shape = t.getShapeList().stream().mapToLong(Long::longValue).toArray();
      tensors.put(
          name,
          TensorData.wrap(
              source, name, dtype(source, t), shape, t.getData().asReadOnlyByteBuffer()));
    }
    return new Bundle(source, BundleFormat.PROTOBUF, manifest, tensors, () -> {});
  }

  private static DType dtype(String source, BundleProtos.Tensor t) throws TensorFileException {
    int value = t.getDtypeValue();
    BundleProtos.DType known = BundleProtos.DType.forNumber(value);
    if (known == null || known == BundleProtos.DType.DTYPE_UNSPECIFIED) {
      throw new TensorFileException(
          source, "tensor '" + t.getName() + "': unknown dtype " + value);
    }
    return TensorData.dtype(source, t.getName(), known.name());
  }
}
