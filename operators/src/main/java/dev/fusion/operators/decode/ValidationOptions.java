package dev.fusion.operators.decode;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;

/**
 * What a valid input event looks like beyond its schema and its stream's vector length (the
 * routing model's {@code input_dim}): text size, id lengths and a sane event-time range. Each
 * limit is a configuration option; errors name its key.
 *
 * @param maxTextChars {@code validation.max-text-chars}: longest accepted text, in chars
 * @param minEventTime {@code validation.min-event-time}: earliest accepted event time
 * @param maxFutureSkew {@code validation.max-future-skew}: how far ahead of the wall clock an
 *     event time may be
 * @param maxIdChars {@code validation.max-id-chars}: longest accepted event and entity id, in
 *     chars; ids end up in every output record and key, so they must stay small
 */
public record ValidationOptions(int maxTextChars, Instant minEventTime, Duration maxFutureSkew,
        int maxIdChars) implements Serializable {

    public static final String MAX_TEXT_CHARS = "validation.max-text-chars";
    public static final String MIN_EVENT_TIME = "validation.min-event-time";
    public static final String MAX_FUTURE_SKEW = "validation.max-future-skew";
    public static final String MAX_ID_CHARS = "validation.max-id-chars";
    public static final int DEFAULT_MAX_ID_CHARS = 256;

    /**
     * Defaults: 10 000 chars of text, nothing before 2000-01-01, at most one day in the future,
     * ids of at most 256 chars.
     */
    public static ValidationOptions defaults() {
        return new ValidationOptions(10_000, Instant.parse("2000-01-01T00:00:00Z"),
                Duration.ofDays(1), DEFAULT_MAX_ID_CHARS);
    }

    public ValidationOptions {
        if (maxTextChars <= 0) {
            throw new IllegalArgumentException(MAX_TEXT_CHARS + " must be positive, got " + maxTextChars);
        }
        if (minEventTime == null) {
            throw new IllegalArgumentException(MIN_EVENT_TIME + " must be set");
        }
        if (maxIdChars <= 0) {
            throw new IllegalArgumentException(MAX_ID_CHARS + " must be positive, got " + maxIdChars);
        }
        if (maxFutureSkew == null || maxFutureSkew.isNegative()) {
            throw new IllegalArgumentException(MAX_FUTURE_SKEW + " must be zero or positive, got "
                    + maxFutureSkew);
        }
    }

    /** Whether {@code eventTimeMillis} lies in the accepted range at wall-clock {@code nowMillis}. */
    public boolean eventTimeInRange(long eventTimeMillis, long nowMillis) {
        return eventTimeMillis >= minEventTime.toEpochMilli()
                && eventTimeMillis <= nowMillis + maxFutureSkew.toMillis();
    }
}
