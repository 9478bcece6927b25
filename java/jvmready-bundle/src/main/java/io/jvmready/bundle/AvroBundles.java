package io.jvmready.bundle;

import io.jvmready.Tensor;
import io.jvmready.TensorFileException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileConstants;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/** Avro bundles: one record of {@code schemas/bundle.avsc}, read with Avro's generic reader. */
final class AvroBundles {
  /** Full name of the bundle record in the schema. */
  static final String SCHEMA_NAME = "io.jvmready.bundle.avro.Bundle";

  /** The schema this library was built with (a copy of {@code schemas/bundle.avsc}). */
  static final Schema SCHEMA = loadSchema();

  private AvroBundles() {}

  private static Schema loadSchema() {
    try (InputStream in = AvroBundles.class.getResourceAsStream("bundle.avsc")) {
      if (in == null) {
        throw new IllegalStateException("bundle.avsc missing from the jvmready-bundle jar");
      }
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Bundle read(Path path) throws IOException {
    String source = path.toString();
    if (Files.size(path) > ProtobufBundles.MAX_BYTES) {
      throw new TensorFileException(source, "over 2 GiB: too large for an Avro bundle");
    }
    checkHeaderLengths(path);
    GenericRecord record;
    try (DataFileReader<GenericRecord> reader =
        new DataFileReader<>(path.toFile(), new GenericDatumReader<GenericRecord>(SCHEMA))) {
      String found = reader.getSchema().getFullName();
      if (!SCHEMA_NAME.equals(found)) {
        throw new TensorFileException(
            source, "not a jvmready Avro bundle (its schema is " + found + ")");
      }
      checkSingleBlock(path, reader.previousSync());
      record = reader.next();
    } catch (TensorFileException e) {
      throw e;
    } catch (IOException | AvroRuntimeException e) {
      String problem = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
      throw new TensorFileException(
          source, "not a valid Avro bundle (truncated or corrupt: " + problem + ")", e);
    }
    GenericRecord m = (GenericRecord) record.get("manifest");
    Manifest manifest =
        Manifest.checked(
            source,
            new Manifest(
                (Integer) m.get("format_version"),
                m.get("model_name").toString(),
                strings(m.get("roles")),
                strings((List<?>) m.get("class_labels")),
                strings((List<?>) m.get("feature_names")),
                strings(m.get("producers"))));
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (Object o : (List<?>) record.get("tensors")) {
      GenericRecord t = (GenericRecord) o;
      String name = t.get("name").toString();
      if (tensors.containsKey(name)) {
        throw new TensorFileException(source, "tensor name '" + name + "' appears twice");
      }
      long[] shape = ((List<?>) t.get("shape")).stream().mapToLong(d -> (Long) d).toArray();
      ByteBuffer data = ((ByteBuffer) t.get("data")).asReadOnlyBuffer();
      tensors.put(
          name,
          TensorData.wrap(
              source, name, TensorData.dtype(source, name, t.get("dtype").toString()), shape, data));
    }
    return new Bundle(source, BundleFormat.AVRO, manifest, tensors, () -> {});
  }

  /**
   * Checks every length in the container header's metadata map against the file size, because
   * Avro allocates a declared length before reading it: a lying header must not cost gigabytes.
   */
  private static void checkHeaderLengths(Path path) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long fileSize = ch.size();
      ch.position(DataFileConstants.MAGIC.length);
      BinaryDecoder in = DecoderFactory.get().directBinaryDecoder(Channels.newInputStream(ch), null);
      try {
        for (long count = in.readLong(); count != 0; count = in.readLong()) {
          if (count < 0) { // a block of -count entries, preceded by its byte size
            count = -count;
            in.readLong();
          }
          for (long i = 0; i < 2 * count; i++) { // key string, value bytes
            long length = in.readLong();
            if (length < 0 || length > fileSize - ch.position()) {
              throw new TensorFileException(
                  path,
                  "not a valid Avro bundle (truncated or corrupt: header entry of "
                      + length
                      + " bytes in a "
                      + fileSize
                      + "-byte file)");
            }
            ch.position(ch.position() + length);
          }
        }
      } catch (TensorFileException e) {
        throw e;
      } catch (IOException | AvroRuntimeException e) {
        String problem = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        throw new TensorFileException(
            path.toString(), "not a valid Avro bundle (truncated or corrupt: " + problem + ")", e);
      }
    }
  }

  /**
   * A bundle is one block holding one record, ending with the file. Checked (with Avro's own
   * decoder) before Avro reads the block, because Avro allocates a block's declared size up front:
   * a lying size must not become a 2 GiB allocation.
   */
  private static void checkSingleBlock(Path path, long blockStart) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long fileSize = ch.size();
      ch.position(blockStart);
      // Unbuffered: the channel's position stays exactly after the two longs read.
      BinaryDecoder in = DecoderFactory.get().directBinaryDecoder(Channels.newInputStream(ch), null);
      long count = in.readLong();
      long size = in.readLong();
      long rest = fileSize - ch.position() - DataFileConstants.SYNC_SIZE;
      if (count != 1 || size != rest) {
        throw new TensorFileException(
            path,
            "not a valid Avro bundle (expected one block of one record filling the file; found "
                + count
                + " record(s) in a block of "
                + size
                + " bytes where "
                + rest
                + " remain)");
      }
    }
  }

  private static List<String> strings(List<?> items) {
    List<String> out = new ArrayList<>(items.size());
    for (Object o : items) {
      out.add(o.toString());
    }
    return out;
  }

  private static Map<String, String> strings(Object map) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : ((Map<?, ?>) map).entrySet()) {
      out.put(e.getKey().toString(), e.getValue().toString());
    }
    return out;
  }
}
