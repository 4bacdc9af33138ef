package dev.fusion.operators.health;

import java.io.Serializable;
import java.time.Duration;

/**
 * When a stream counts as degraded: its mean gate over {@code window} below {@code minMeanGate}
 * for {@code degradedAfter}; and again at or above it for {@code degradedAfter} to recover.
 *
 * @param minMeanGate in [0, 1); 0 turns the health check off (a stream is never degraded)
 * @param window the sliding window of the mean gate and mean weight gauges (at least 10 ms)
 * @param degradedAfter how long the mean must stay on one side of the level to change state
 */
public record HealthOptions(double minMeanGate, Duration window, Duration degradedAfter)
        implements Serializable {

    public static final String MIN_MEAN_GATE = "health.min-mean-gate";
    public static final String WINDOW = "health.window";
    public static final String DEGRADED_AFTER = "health.degraded-after";
    /** Buckets of the sliding window: it slides in steps of a tenth of its length. */
    static final int BUCKETS = 10;

    public HealthOptions {
        if (!(minMeanGate >= 0 && minMeanGate < 1)) {
            throw new IllegalArgumentException(MIN_MEAN_GATE + " must be in [0, 1), got "
                    + minMeanGate);
        }
        if (window.toMillis() < BUCKETS) {
            throw new IllegalArgumentException(WINDOW + " must be at least " + BUCKETS + " ms, got "
                    + window);
        }
        if (degradedAfter.isNegative()) {
            throw new IllegalArgumentException(DEGRADED_AFTER + " must not be negative, got "
                    + degradedAfter);
        }
    }
}
