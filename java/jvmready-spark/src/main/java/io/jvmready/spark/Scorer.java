package io.jvmready.spark;

import io.jvmready.onnxruntime.InputWidthException;
import io.jvmready.onnxruntime.ModelRunner;
import io.jvmready.onnxruntime.Result;
import java.lang.reflect.Array;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Scores one partition in mini-batches: reads up to {@code batchSize} rows, runs them through the
 * JVM's shared session as one batch, and appends the outputs to each row. Rows stream through; at
 * most one batch is held.
 */
final class Scorer implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;

  private final Broadcast<byte[]> model;
  private final String hash;
  private final List<InputBinding> inputs;
  private final List<OutputBinding> outputs;
  private final int batchSize;
  private final boolean passNulls;

  Scorer(
      Broadcast<byte[]> model,
      String hash,
      List<InputBinding> inputs,
      List<OutputBinding> outputs,
      int batchSize,
      boolean passNulls) {
    this.model = model;
    this.hash = hash;
    this.inputs = List.copyOf(inputs);
    this.outputs = List.copyOf(outputs);
    this.batchSize = batchSize;
    this.passNulls = passNulls;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    ModelRunner runner = SessionCache.get(hash, model::value);
    TaskContext task = TaskContext.get();
    int partition = task == null ? 0 : task.partitionId();
    return new Iterator<>() {
      private final ArrayDeque<Row> ready = new ArrayDeque<>();
      private long rowIndex;

      @Override
      public boolean hasNext() {
        if (ready.isEmpty() && rows.hasNext()) {
          List<Row> batch = new ArrayList<>(batchSize);
          while (batch.size() < batchSize && rows.hasNext()) {
            batch.add(rows.next());
          }
          ready.addAll(score(runner, batch, partition, rowIndex));
          rowIndex += batch.size();
        }
        return !ready.isEmpty();
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return ready.removeFirst();
      }
    };
  }

  /** The batch's rows with the outputs appended; rows with nulls get null outputs (passNulls). */
  private List<Row> score(ModelRunner runner, List<Row> batch, int partition, long firstRow) {
    List<Row> scored = new ArrayList<>(batch.size());
    List<Integer> positions = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Row row = batch.get(i);
      boolean missing = false;
      for (InputBinding b : inputs) {
        if (Columns.isNull(b, row)) {
          if (!passNulls) {
            throw new NullValueException(b.column(), partition, firstRow + i);
          }
          missing = true;
        }
      }
      if (!missing) {
        scored.add(row);
        positions.add(i);
      }
    }
    Object[][] values = new Object[outputs.size()][];
    if (!scored.isEmpty()) {
      Map<String, Object> feeds = new LinkedHashMap<>();
      for (InputBinding b : inputs) {
        feeds.put(b.input(), Columns.batch(b, scored));
      }
      try (Result result = run(runner, feeds, positions, partition, firstRow)) {
        for (int k = 0; k < outputs.size(); k++) {
          values[k] = Columns.values(result, outputs.get(k), scored.size());
        }
      }
    }
    List<Row> out = new ArrayList<>(batch.size());
    int next = 0;
    for (int i = 0; i < batch.size(); i++) {
      Row row = batch.get(i);
      boolean isScored = next < positions.size() && positions.get(next) == i;
      Object[] fields = new Object[row.length() + outputs.size()];
      for (int f = 0; f < row.length(); f++) {
        fields[f] = row.get(f);
      }
      for (int k = 0; k < outputs.size(); k++) {
        fields[row.length() + k] = isScored ? values[k][next] : null;
      }
      if (isScored) {
        next++;
      }
      out.add(RowFactory.create(fields));
    }
    return out;
  }

  /** Runs the batch; a value that does not fit becomes an error naming column, row and value. */
  private Result run(
      ModelRunner runner,
      Map<String, Object> feeds,
      List<Integer> positions,
      int partition,
      long firstRow) {
    try {
      return runner.run(feeds);
    } catch (InputWidthException e) {
      InputBinding b =
          inputs.stream().filter(i -> i.input().equals(e.input())).findFirst().orElseThrow();
      long perRow = valuesPerRow(feeds.get(b.input()));
      int scoredRow = (int) (e.index() / perRow);
      throw new ColumnValueException(
          b.column(),
          b.input(),
          partition,
          firstRow + positions.get(scoredRow),
          e.index(),
          e.value(),
          e.targetType(),
          b.declared());
    }
  }

  private static long valuesPerRow(Object batch) {
    Object first = Array.getLength(batch) == 0 ? null : Array.get(batch, 0);
    return first != null && first.getClass().isArray() ? Math.max(1, Array.getLength(first)) : 1;
  }
}
