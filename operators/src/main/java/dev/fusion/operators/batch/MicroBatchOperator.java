package dev.fusion.operators.batch;

import dev.fusion.operators.outputs.SideOutputs;
import dev.fusion.schemas.DeadLetter;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers records and hands them to a {@link BatchFunction} in micro-batches: at
 * {@code batchSize} records, {@code maxDelay} after the oldest buffered record, before every
 * checkpoint barrier and at end of input.
 *
 * <p>Invariants: the buffer is flushed in {@link #prepareSnapshotPreBarrier}, so a checkpoint
 * never holds (and a restore never loses or repeats) a buffered record; a watermark that arrives
 * while records are buffered is held back and forwarded right after they are emitted; outputs
 * keep their input's timestamp and order. A failing batch is split in halves until the
 * record(s) that fail alone are isolated; those become dead letters, their batch-mates go on.
 * If every record of a batch of two or more fails alone, the fault is not in the data (a lost
 * GPU, a closed session): the task fails and restarts from its last checkpoint instead of
 * dead-lettering good records.
 *
 * @param <IN> input record type
 * @param <OUT> output record type
 */
public class MicroBatchOperator<IN, OUT> extends AbstractStreamOperator<OUT>
        implements OneInputStreamOperator<IN, OUT>, BoundedOneInput, ProcessingTimeCallback {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(MicroBatchOperator.class);

    private final BatchFunction<IN, OUT> function;
    private final PoisonHandler<IN> poisonHandler;
    private final MicroBatchOptions options;
    /** The input stream the metrics are labelled with, or null (an operator of all streams). */
    private final String stream;

    private transient List<IN> values;
    private transient long[] timestamps;
    private transient boolean[] hasTimestamp;
    private transient long oldestArrival;
    private transient long timerAt;
    /** Highest watermark received while records were buffered, or null. */
    private transient Watermark heldWatermark;
    private transient BatchMetrics metrics;
    private transient StreamRecord<OUT> reuse;
    /**
     * Time spent in the batch function during the current flush, split retries included; the
     * emission to chained downstream operators (sinks, network back-pressure) is not in it.
     */
    private transient long modelCallNanos;

    public MicroBatchOperator(BatchFunction<IN, OUT> function, PoisonHandler<IN> poisonHandler,
            MicroBatchOptions options) {
        this(function, poisonHandler, options, null);
    }

    /** An operator of one input stream: its metrics carry the label {@code stream=<stream>}. */
    public MicroBatchOperator(BatchFunction<IN, OUT> function, PoisonHandler<IN> poisonHandler,
            MicroBatchOptions options, String stream) {
        this.function = function;
        this.poisonHandler = poisonHandler;
        this.options = options;
        this.stream = stream;
    }

    @Override
    public void open() throws Exception {
        super.open();
        values = new ArrayList<>(options.batchSize());
        timestamps = new long[options.batchSize()];
        hasTimestamp = new boolean[options.batchSize()];
        timerAt = Long.MIN_VALUE;
        metrics = new BatchMetrics(getMetricGroup(), stream);
        reuse = new StreamRecord<>(null);
        function.open();
        function.serving().ifPresent(metrics::serving);
    }

    @Override
    public void processElement(StreamRecord<IN> element) throws Exception {
        int i = values.size();
        if (i == 0) {
            oldestArrival = getProcessingTimeService().getCurrentProcessingTime();
            scheduleFlush(oldestArrival + options.maxDelay().toMillis());
        }
        values.add(element.getValue());
        hasTimestamp[i] = element.hasTimestamp();
        timestamps[i] = element.getTimestamp();
        if (values.size() >= options.batchSize()) {
            flush();
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        if (values.isEmpty()) {
            super.processWatermark(mark);
        } else if (heldWatermark == null || mark.getTimestamp() > heldWatermark.getTimestamp()) {
            heldWatermark = mark;
        }
    }

    @Override
    public void onProcessingTime(long time) throws Exception {
        timerAt = Long.MIN_VALUE;
        if (values.isEmpty()) {
            return;
        }
        long due = oldestArrival + options.maxDelay().toMillis();
        if (time >= due) {
            flush();
        } else {
            scheduleFlush(due);
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void endInput() throws Exception {
        flush();
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    @Override
    public void close() throws Exception {
        try {
            function.close();
        } finally {
            super.close();
        }
    }

    /** Number of records waiting in the buffer (for tests). */
    int buffered() {
        return values.size();
    }

    private void scheduleFlush(long at) {
        if (timerAt == Long.MIN_VALUE || at < timerAt) {
            timerAt = at;
            getProcessingTimeService().registerTimer(at, this);
        }
    }

    private void flush() throws Exception {
        if (values.isEmpty()) {
            return;
        }
        int n = values.size();
        long now = getProcessingTimeService().getCurrentProcessingTime();
        metrics.batchSize.update(n);
        metrics.queueDelayMillis.update(now - oldestArrival);
        List<IN> batch = new ArrayList<>(values);
        long[] ts = timestamps.clone();
        boolean[] hasTs = hasTimestamp.clone();
        values.clear();
        List<Poison<IN>> poisoned = new ArrayList<>();
        modelCallNanos = 0;
        runIsolating(batch, 0, n, ts, hasTs, poisoned);
        metrics.modelCallMicros.update(modelCallNanos / 1_000);
        if (n > 1 && poisoned.size() == n) {
            throw new BatchFailedException("all " + n + " records of a batch failed inference one by"
                    + " one; failing the task to restart from the last checkpoint",
                    poisoned.get(n - 1).cause);
        }
        for (Poison<IN> p : poisoned) {
            poison(p.record, p.cause, p.timestamp, p.hasTimestamp);
        }
        metrics.records.inc(n);
        if (heldWatermark != null) {
            Watermark mark = heldWatermark;
            heldWatermark = null;
            super.processWatermark(mark);
        }
    }

    /** Runs {@code batch[from, to)}; on failure splits it, down to single poison records. */
    private void runIsolating(List<IN> batch, int from, int to, long[] ts, boolean[] hasTs,
            List<Poison<IN>> poisoned) {
        List<IN> slice = batch.subList(from, to);
        List<OUT> results;
        try {
            results = timedApply(slice);
            if (results.size() != slice.size()) {
                throw new IllegalStateException("batch function returned " + results.size()
                        + " results for " + slice.size() + " inputs");
            }
        } catch (Exception e) {
            if (to - from == 1) {
                poisoned.add(new Poison<>(batch.get(from), e, ts[from], hasTs[from]));
                return;
            }
            metrics.batchSplits.inc();
            int mid = (from + to) >>> 1;
            runIsolating(batch, from, mid, ts, hasTs, poisoned);
            runIsolating(batch, mid, to, ts, hasTs, poisoned);
            return;
        }
        for (int i = 0; i < results.size(); i++) {
            emit(results.get(i), ts[from + i], hasTs[from + i]);
        }
        metrics.emitted.inc(results.size());
    }

    private List<OUT> timedApply(List<IN> slice) throws Exception {
        long start = System.nanoTime();
        try {
            return function.apply(slice);
        } finally {
            modelCallNanos += System.nanoTime() - start;
        }
    }

    private void emit(OUT value, long timestamp, boolean withTimestamp) {
        if (withTimestamp) {
            output.collect(reuse.replace(value, timestamp));
        } else {
            reuse.eraseTimestamp();
            output.collect(reuse.replace(value));
        }
    }

    private void poison(IN record, Exception cause, long timestamp, boolean withTimestamp) {
        LOG.warn("record failed inference on its own and becomes a dead letter: {}", cause.toString());
        long now = getProcessingTimeService().getCurrentProcessingTime();
        for (DeadLetter letter : poisonHandler.deadLetters(record, cause, now)) {
            metrics.poisonDeadLetters.inc();
            StreamRecord<DeadLetter> side = withTimestamp
                    ? new StreamRecord<>(letter, timestamp) : new StreamRecord<>(letter);
            output.collect(SideOutputs.DEAD_LETTERS, side);
        }
    }

    /** A record that failed inference alone, with what it needs to become a dead letter. */
    private record Poison<T>(T record, Exception cause, long timestamp, boolean hasTimestamp) {
    }

    /** Every record of a batch failed: a fault of the runtime, not of the data. */
    static final class BatchFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BatchFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
