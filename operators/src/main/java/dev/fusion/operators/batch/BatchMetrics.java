package dev.fusion.operators.batch;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/** The metrics of one micro-batching operator instance. */
final class BatchMetrics {

    private static final int WINDOW = 1024;

    final Histogram batchSize;
    final Histogram inferenceMillis;
    final Histogram queueDelayMillis;
    final Counter records;
    final Meter recordsPerSecond;
    final Counter poisonDeadLetters;
    final Counter batchSplits;

    BatchMetrics(MetricGroup group) {
        batchSize = group.histogram("batchSize", new DescriptiveStatisticsHistogram(WINDOW));
        inferenceMillis = group.histogram("inferenceLatencyMs", new DescriptiveStatisticsHistogram(WINDOW));
        queueDelayMillis = group.histogram("queueDelayMs", new DescriptiveStatisticsHistogram(WINDOW));
        records = group.counter("batchedRecords");
        recordsPerSecond = group.meter("batchedRecordsPerSecond", new MeterView(records));
        poisonDeadLetters = group.counter("deadLettersInferenceFailed");
        batchSplits = group.counter("batchSplits");
    }
}
