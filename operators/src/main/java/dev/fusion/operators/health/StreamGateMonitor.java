package dev.fusion.operators.health;

import dev.fusion.operators.metrics.StreamMetrics;
import java.util.Locale;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream's gates in one subtask: their mean over the sliding window and the stream's health,
 * as the gauges {@code meanGate} and {@code degraded} (labelled with the stream), and one log
 * line each time the stream becomes degraded (WARN) or recovers (INFO). Gauges show the state
 * as of the stream's latest record: a stream that goes quiet keeps its last values.
 */
public final class StreamGateMonitor {

    private static final Logger LOG = LoggerFactory.getLogger(StreamGateMonitor.class);

    private final String stream;
    private final String subtask;
    private final HealthOptions options;
    private final SlidingMean gates;
    private final StreamHealth health;
    /** Written by the task thread, read by the reporter's. */
    private volatile double meanGate = Double.NaN;
    private volatile int degraded;

    /**
     * Registers the gauges in {@code operatorGroup}'s subgroup of {@code stream}.
     *
     * @param subtask the subtask, as the log lines name it (e.g. "2/4")
     */
    public StreamGateMonitor(MetricGroup operatorGroup, String stream, String subtask,
            HealthOptions options) {
        this.stream = stream;
        this.subtask = subtask;
        this.options = options;
        this.gates = new SlidingMean(options.window().toMillis(), HealthOptions.BUCKETS);
        this.health = new StreamHealth(options);
        MetricGroup group = StreamMetrics.of(operatorGroup, stream);
        group.gauge(StreamMetrics.MEAN_GATE, () -> meanGate);
        group.gauge(StreamMetrics.DEGRADED, () -> degraded);
    }

    /** Takes one record's gate ({@code sigmoid(gateLogit)}) at processing time {@code now}. */
    public void record(double gate, long now) {
        gates.add(gate, now);
        double mean = gates.mean(now);
        meanGate = mean;
        StreamHealth.Transition change = health.update(mean, now);
        if (change == StreamHealth.Transition.NONE) {
            return;
        }
        degraded = health.degraded() ? 1 : 0;
        String line = String.format(Locale.ROOT, "stream %s %s (subtask %s): mean gate %.3f over"
                + " the last %s %s %s %.3f for %.1f s", stream,
                health.degraded() ? "degraded" : "recovered", subtask, mean,
                seconds(options.window().toMillis()), health.degraded() ? "below" : "at or above",
                HealthOptions.MIN_MEAN_GATE, options.minMeanGate(),
                health.lastChangeAfterMillis() / 1000.0);
        if (health.degraded()) {
            LOG.warn(line);
        } else {
            LOG.info(line);
        }
    }

    private static String seconds(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }
}
