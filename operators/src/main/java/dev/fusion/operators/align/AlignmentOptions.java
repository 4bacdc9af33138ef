package dev.fusion.operators.align;

import dev.fusion.schemas.AlignmentPolicy;
import java.io.Serializable;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * How records of one entity are aligned for fusion; errors name the option key at fault.
 *
 * @param policy {@code align.policy}: {@code window} (tumbling windows) or {@code latest}
 *     (zero-order hold)
 * @param window {@code align.window}: tumbling window size, positive whole milliseconds
 * @param allowedLateness {@code align.allowed-lateness}: how far behind the watermark a record may
 *     still be accepted, zero or positive whole milliseconds
 * @param ttl {@code align.ttl}: latest policy, the oldest a held record of another modality may
 *     be relative to its trigger, positive whole milliseconds
 * @param idleFlushAfter {@code align.idle-flush-after}: while every input is idle, how long
 *     alignment waits without a record or watermark progress before it fuses what is pending
 *     anyway (see {@link AlignOperator}); zero or positive whole milliseconds, zero is off
 * @param duplicateHorizon {@code align.duplicate-horizon}: how long, in event time, an entity's
 *     event ids are remembered so that a copy is dropped as DUPLICATE; zero or positive whole
 *     milliseconds, zero is off
 */
public record AlignmentOptions(AlignmentPolicy policy, Duration window, Duration allowedLateness,
        Duration ttl, Duration idleFlushAfter, Duration duplicateHorizon) implements Serializable {

    public static final String POLICY = "align.policy";
    public static final String WINDOW = "align.window";
    public static final String ALLOWED_LATENESS = "align.allowed-lateness";
    public static final String TTL = "align.ttl";
    public static final String IDLE_FLUSH_AFTER = "align.idle-flush-after";
    public static final String DUPLICATE_HORIZON = "align.duplicate-horizon";

    public AlignmentOptions {
        if (policy == null) {
            throw new IllegalArgumentException(POLICY + " must be one of " + policyNames());
        }
        if (wholeMillis(WINDOW, window) <= 0) {
            throw new IllegalArgumentException(WINDOW + " must be > 0, got " + window);
        }
        if (wholeMillis(ALLOWED_LATENESS, allowedLateness) < 0) {
            throw new IllegalArgumentException(ALLOWED_LATENESS + " must be >= 0, got "
                    + allowedLateness);
        }
        if (wholeMillis(TTL, ttl) <= 0) {
            throw new IllegalArgumentException(TTL + " must be > 0, got " + ttl);
        }
        if (wholeMillis(IDLE_FLUSH_AFTER, idleFlushAfter) < 0) {
            throw new IllegalArgumentException(IDLE_FLUSH_AFTER + " must be >= 0, got "
                    + idleFlushAfter);
        }
        if (wholeMillis(DUPLICATE_HORIZON, duplicateHorizon) < 0) {
            throw new IllegalArgumentException(DUPLICATE_HORIZON + " must be >= 0, got "
                    + duplicateHorizon);
        }
    }

    /** Options without idle flush and without duplicate detection. */
    public AlignmentOptions(AlignmentPolicy policy, Duration window, Duration allowedLateness,
            Duration ttl) {
        this(policy, window, allowedLateness, ttl, Duration.ZERO, Duration.ZERO);
    }

    /**
     * Defaults: 5 s windows, 1 s allowed lateness, 30 s ttl, for the given policy; no idle flush,
     * no duplicate detection.
     */
    public static AlignmentOptions defaults(AlignmentPolicy policy) {
        return new AlignmentOptions(policy, Duration.ofSeconds(5), Duration.ofSeconds(1),
                Duration.ofSeconds(30));
    }

    /** Parses a configured {@code align.policy} value, case-insensitively. */
    public static AlignmentPolicy parsePolicy(String value) {
        for (AlignmentPolicy p : AlignmentPolicy.values()) {
            if (p.name().equalsIgnoreCase(value == null ? "" : value.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException(POLICY + " must be one of " + policyNames() + ", got '"
                + value + "'");
    }

    public long windowMillis() {
        return window.toMillis();
    }

    public long allowedLatenessMillis() {
        return allowedLateness.toMillis();
    }

    public long ttlMillis() {
        return ttl.toMillis();
    }

    public long idleFlushAfterMillis() {
        return idleFlushAfter.toMillis();
    }

    public long duplicateHorizonMillis() {
        return duplicateHorizon.toMillis();
    }

    // Event time is in milliseconds; a sub-millisecond part would be silently truncated.
    private static long wholeMillis(String key, Duration d) {
        if (d == null) {
            throw new IllegalArgumentException(key + " must be set");
        }
        try {
            long millis = d.toMillis();
            if (!Duration.ofMillis(millis).equals(d)) {
                throw new IllegalArgumentException(key
                        + " must be a whole number of milliseconds, got " + d);
            }
            return millis;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(key + " is too large, got " + d, e);
        }
    }

    private static String policyNames() {
        return Arrays.toString(Arrays.stream(AlignmentPolicy.values())
                .map(p -> p.name().toLowerCase(Locale.ROOT)).toArray());
    }
}
