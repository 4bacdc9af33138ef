package dev.fusion.operators.align;

import java.time.Instant;

/** Event-time arithmetic that saturates instead of wrapping, and how drop messages print times. */
final class EventTime {

    private EventTime() {
    }

    /** {@code a + b}, clamped to the range of long. */
    static long plus(long a, long b) {
        long sum = a + b;
        // Overflow happened iff both operands have the sign opposite to the sum's.
        if (((a ^ sum) & (b ^ sum)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return sum;
    }

    /** {@code a - b} for {@code b >= 0}, clamped to the range of long. */
    static long minus(long a, long b) {
        return plus(a, -b);
    }

    /**
     * The step cleanup times of a {@code spanMillis}-long retention are rounded up to: a
     * sixteenth of it, so an entity holds about 17 cleanup timers however often it sends.
     */
    static long cleanupStep(long spanMillis) {
        return Math.max(1, spanMillis / 16);
    }

    /**
     * The smallest multiple of {@code granularity} at or after {@code time} (for
     * {@code granularity > 0}), clamped to the range of long: timers rounded up to it coalesce.
     */
    static long roundUp(long time, long granularity) {
        long rest = Math.floorMod(time, granularity);
        return rest == 0 ? time : plus(time, granularity - rest);
    }

    /** An ISO-8601 instant. */
    static String format(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }
}
