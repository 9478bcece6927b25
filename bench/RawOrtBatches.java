import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The raw ONNX Runtime Java ceiling for {@code bench/spark_fleet.py}: OrtSession.run over the
 * same rows in the same batch size, from a little-endian file of float32 or int32 values
 * (rows x width), outputs copied into Java arrays as a scorer must. No Spark, no checks.
 *
 * <p>Run with the source launcher: {@code java -cp ORT_JAR RawOrtBatches.java MODEL DATA INPUT
 * float|int32 WIDTH ROWS BATCH THREADS WARMUP_BATCHES}; prints one JSON line.
 */
public final class RawOrtBatches {
  private RawOrtBatches() {}

  /**
   * Times every batch once after {@code WARMUP_BATCHES} untimed ones.
   *
   * @param args see the class comment
   * @throws Exception on any failure (the benchmark reports it)
   */
  public static void main(String[] args) throws Exception {
    Path model = Path.of(args[0]);
    Path data = Path.of(args[1]);
    String input = args[2];
    boolean isFloat = args[3].equals("float");
    int width = Integer.parseInt(args[4]);
    long rows = Long.parseLong(args[5]);
    int batch = Integer.parseInt(args[6]);
    int threads = Integer.parseInt(args[7]);
    int warmup = Integer.parseInt(args[8]);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    ByteBuffer all;
    try (FileChannel ch = FileChannel.open(data)) {
      all = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.LITTLE_ENDIAN);
    }
    int batches = (int) ((rows + batch - 1) / batch);
    try (OrtSession session = env.createSession(Files.readAllBytes(model))) {
      Batches work = new Batches(env, session, all, input, isFloat, width, rows, batch);
      for (int i = 0; i < Math.min(warmup, batches); i++) {
        work.run(i);
      }
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      long t0 = System.nanoTime();
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        final int first = t;
        done.add(
            pool.submit(
                () -> {
                  for (int i = first; i < batches; i += threads) {
                    work.run(i);
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      long t1 = System.nanoTime();
      pool.shutdown();
      System.out.println(
          "{\"rows\": " + rows + ", \"threads\": " + threads + ", \"seconds\": " + (t1 - t0) / 1e9
              + "}");
    }
  }

  /** One batch: a tensor over the mapped rows, one run, every output copied out. */
  private record Batches(
      OrtEnvironment env,
      OrtSession session,
      ByteBuffer all,
      String input,
      boolean isFloat,
      int width,
      long rows,
      int batch) {
    void run(int index) throws OrtException {
      long start = (long) index * batch;
      int n = (int) Math.min(batch, rows - start);
      ByteBuffer slice =
          all.slice((int) (start * width * 4), n * width * 4).order(ByteOrder.LITTLE_ENDIAN);
      long[] shape = {n, width};
      OnnxTensor tensor =
          isFloat
              ? OnnxTensor.createTensor(env, slice.asFloatBuffer(), shape)
              : OnnxTensor.createTensor(env, slice.asIntBuffer(), shape);
      try (tensor;
          OrtSession.Result result = session.run(Map.of(input, tensor))) {
        for (Map.Entry<String, OnnxValue> e : result) {
          e.getValue().getValue();
        }
      }
    }
  }
}
