package dev.fusion.operators.batch;

import dev.fusion.operators.metrics.SlidingWindowHistogram;
import dev.fusion.operators.metrics.StreamMetrics;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;

/** The metrics of one micro-batching operator instance (names in docs/METRICS.md). */
final class BatchMetrics {

    static final String BATCH_SIZE = "batchSize";
    static final String MODEL_CALL_LATENCY_US = "modelCallLatencyUs";
    static final String QUEUE_DELAY_MS = "queueDelayMs";
    static final String BATCHED_RECORDS = "batchedRecords";
    static final String BATCHED_RECORDS_PER_SECOND = "batchedRecordsPerSecond";
    static final String RECORDS_EMITTED = "recordsEmitted";
    static final String RECORDS_EMITTED_PER_SECOND = "recordsEmittedPerSecond";
    static final String BATCH_SPLITS = "batchSplits";
    static final String MODEL_INFO = "modelInfo";

    private static final int WINDOW = 1024;

    final Histogram batchSize;
    final Histogram modelCallMicros;
    final Histogram queueDelayMillis;
    final Counter records;
    final Meter recordsPerSecond;
    final Counter emitted;
    final Meter emittedPerSecond;
    final Counter poisonDeadLetters;
    final Counter batchSplits;

    private final MetricGroup group;

    /** The metrics in {@code group}, or in its {@code stream} subgroup when a stream is named. */
    BatchMetrics(MetricGroup operatorGroup, String stream) {
        group = stream == null ? operatorGroup : StreamMetrics.of(operatorGroup, stream);
        batchSize = group.histogram(BATCH_SIZE, new SlidingWindowHistogram(WINDOW));
        modelCallMicros = group.histogram(MODEL_CALL_LATENCY_US, new SlidingWindowHistogram(WINDOW));
        queueDelayMillis = group.histogram(QUEUE_DELAY_MS, new SlidingWindowHistogram(WINDOW));
        records = group.counter(BATCHED_RECORDS);
        recordsPerSecond = group.meter(BATCHED_RECORDS_PER_SECOND, new MeterView(records));
        emitted = group.counter(RECORDS_EMITTED);
        emittedPerSecond = group.meter(RECORDS_EMITTED_PER_SECOND, new MeterView(emitted));
        poisonDeadLetters = group.counter(StreamMetrics.DEAD_LETTERS_INFERENCE_FAILED);
        batchSplits = group.counter(BATCH_SPLITS);
    }

    /** An info gauge, always 1, whose labels say which model version serves on which device. */
    void serving(ModelServing serving) {
        group.addGroup("model", serving.model()).addGroup("model_version", serving.version())
                .addGroup("device", serving.device()).gauge(MODEL_INFO, () -> 1);
    }
}
