package io.jvmready.spark;

import io.jvmready.onnxruntime.InputWidthException;
import io.jvmready.onnxruntime.IoSpec;
import io.jvmready.onnxruntime.ModelRunner;
import io.jvmready.onnxruntime.Result;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.SpecificInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.types.StructType;

/**
 * Scores one partition of Catalyst rows in mini-batches: copies up to {@code batchSize} rows,
 * fills one flat buffer per model input straight from them, runs the batch through the JVM's
 * shared session, and returns each input row joined with a row of its outputs (Spark's scan of
 * the resulting RDD turns them into unsafe rows). At most one batch is held per task.
 */
final class Scorer implements Function2<Integer, Iterator<InternalRow>, Iterator<InternalRow>> {
  private static final long serialVersionUID = 1L;

  private final Broadcast<byte[]> model;
  private final String hash;
  private final List<InputBinding> inputs;
  private final List<OutputBinding> outputs;
  private final StructType outputSchema;
  private final int batchSize;
  private final boolean passNulls;
  private final int intraOpThreads;

  Scorer(
      Broadcast<byte[]> model,
      String hash,
      List<InputBinding> inputs,
      List<OutputBinding> outputs,
      StructType outputSchema,
      int batchSize,
      boolean passNulls,
      int intraOpThreads) {
    this.model = model;
    this.hash = hash;
    this.inputs = List.copyOf(inputs);
    this.outputs = List.copyOf(outputs);
    this.outputSchema = outputSchema;
    this.batchSize = batchSize;
    this.passNulls = passNulls;
    this.intraOpThreads = intraOpThreads;
  }

  @Override
  public Iterator<InternalRow> call(Integer partition, Iterator<InternalRow> rows) {
    return new Batches(partition, rows);
  }

  /** The scored rows of one partition, one batch at a time. */
  private final class Batches implements Iterator<InternalRow> {
    private final int partition;
    private final Iterator<InternalRow> rows;
    private final InputBuffer[] buffers = new InputBuffer[inputs.size()];
    private final OutputColumn[] columns = new OutputColumn[outputs.size()];
    private final InternalRow[] held = new InternalRow[batchSize];
    private final UnsafeRow[] pool = new UnsafeRow[batchSize];
    private final int[] scoredIndex = new int[batchSize]; // batch row -> scored row, or -1
    private final int[] batchRow = new int[batchSize]; // scored row -> batch row
    private final SpecificInternalRow out = new SpecificInternalRow(outputSchema);
    private final JoinedRow joined = new JoinedRow();
    private ModelRunner runner;
    private int size;
    private int emitted;
    private long firstRow;

    Batches(int partition, Iterator<InternalRow> rows) {
      this.partition = partition;
      this.rows = rows;
      for (int k = 0; k < columns.length; k++) {
        columns[k] = new OutputColumn(outputs.get(k));
      }
    }

    @Override
    public boolean hasNext() {
      if (emitted < size) {
        return true;
      }
      if (!rows.hasNext()) {
        return false;
      }
      firstRow += size;
      fill();
      return size > 0;
    }

    @Override
    public InternalRow next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      int i = emitted++;
      int scored = scoredIndex[i];
      for (int k = 0; k < columns.length; k++) {
        if (scored < 0) {
          out.setNullAt(k);
        } else {
          columns[k].set(out, k, scored);
        }
      }
      return joined.apply(held[i], out);
    }

    /** Reads the next batch, fills the input buffers and scores it. */
    private void fill() {
      if (runner == null) {
        runner = SessionCache.get(hash, intraOpThreads, model::value);
        for (int b = 0; b < buffers.length; b++) {
          IoSpec spec = runner.inputs().get(inputs.get(b).input());
          buffers[b] = new InputBuffer(inputs.get(b), spec.shape(), batchSize);
        }
      }
      for (InputBuffer b : buffers) {
        b.clear();
      }
      int n = 0;
      int scored = 0;
      while (n < batchSize && rows.hasNext()) {
        InternalRow row = hold(rows.next(), n);
        long rowIndex = firstRow + n;
        boolean missing = false;
        for (InputBuffer b : buffers) {
          if (b.missing(row)) {
            if (!passNulls) {
              throw new NullValueException(b.binding().column(), partition, rowIndex);
            }
            missing = true;
          }
        }
        if (missing) {
          scoredIndex[n] = -1;
        } else {
          for (InputBuffer b : buffers) {
            b.append(row, partition, rowIndex);
          }
          scoredIndex[n] = scored;
          batchRow[scored++] = n;
        }
        n++;
      }
      size = n;
      emitted = 0;
      if (scored > 0) {
        score(scored);
      }
    }

    /** A copy of the row that outlives the input iterator's next call (pooled when unsafe). */
    private InternalRow hold(InternalRow row, int n) {
      if (row instanceof UnsafeRow u) {
        UnsafeRow copy = pool[n];
        if (copy == null || copy.numFields() != u.numFields()) {
          copy = u.copy();
          pool[n] = copy;
        } else {
          copy.copyFrom(u);
        }
        held[n] = copy;
      } else {
        held[n] = row.copy();
      }
      return held[n];
    }

    private void score(int scored) {
      Map<String, Object> feeds = new LinkedHashMap<>();
      for (InputBuffer b : buffers) {
        feeds.put(b.binding().input(), b.feed());
      }
      Result result;
      try {
        result = runner.run(feeds);
      } catch (InputWidthException e) {
        throw widthError(e);
      }
      try (result) {
        for (OutputColumn c : columns) {
          c.load(result, scored);
        }
      }
    }

    /** The adapter refused a value (a narrowing this class does not do itself): name the row. */
    private ColumnValueException widthError(InputWidthException e) {
      for (InputBuffer b : buffers) {
        InputBinding in = b.binding();
        if (in.input().equals(e.input())) {
          long perRow = Math.max(1, b.width());
          int row = batchRow[(int) (e.index() / perRow)];
          return new ColumnValueException(
              in.column(),
              in.input(),
              partition,
              firstRow + row,
              e.index(),
              e.value(),
              e.targetType(),
              in.declared());
        }
      }
      throw e;
    }
  }
}
