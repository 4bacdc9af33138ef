package dev.fusion.operators.health;

import java.util.Arrays;

/**
 * The mean of the values added over the last {@code window} milliseconds of processing time,
 * kept in a ring of time buckets, so that an update and a read are O(1) without keeping values.
 *
 * <p>One thread uses it (the task thread). The window slides one bucket at a time: a read sees
 * the values of the current bucket and of the {@code buckets - 1} before it, so the time it
 * covers is between {@code window - window / buckets} and {@code window}.
 */
final class SlidingMean {

    private final long bucketMillis;
    private final double[] sums;
    private final long[] counts;
    /** The bucket number ({@code time / bucketMillis}) each slot holds, or Long.MIN_VALUE. */
    private final long[] slots;
    private double sum;
    private long count;
    /** The newest bucket number seen; slots older than {@code newest - buckets} are expired. */
    private long newest = Long.MIN_VALUE;

    /** A window of {@code windowMillis} in {@code buckets} buckets (window at least buckets ms). */
    SlidingMean(long windowMillis, int buckets) {
        if (buckets < 1 || windowMillis < buckets) {
            throw new IllegalArgumentException("a sliding window of " + windowMillis + " ms in "
                    + buckets + " buckets");
        }
        this.bucketMillis = windowMillis / buckets;
        this.sums = new double[buckets];
        this.counts = new long[buckets];
        this.slots = new long[buckets];
        Arrays.fill(slots, Long.MIN_VALUE);
    }

    /** Adds {@code value} at processing time {@code now} (milliseconds, not decreasing). */
    void add(double value, long now) {
        long bucket = advance(now);
        int slot = slot(bucket);
        sums[slot] += value;
        counts[slot]++;
        sum += value;
        count++;
    }

    /** The mean over the window ending at {@code now}, or NaN when no value is in it. */
    double mean(long now) {
        advance(now);
        return count == 0 ? Double.NaN : sum / count;
    }

    /** Expires the buckets that fell out of the window ending at {@code now}; its bucket number. */
    private long advance(long now) {
        long bucket = Math.floorDiv(now, bucketMillis);
        if (bucket <= newest) {
            // A clock that steps back stays in the newest bucket rather than corrupting the ring.
            return newest;
        }
        long first = newest == Long.MIN_VALUE ? bucket
                : Math.max(newest + 1, bucket - slots.length + 1);
        for (long b = first; b <= bucket; b++) {
            int slot = slot(b);
            if (slots[slot] != Long.MIN_VALUE) {
                sum -= sums[slot];
                count -= counts[slot];
            }
            sums[slot] = 0;
            counts[slot] = 0;
            slots[slot] = b;
        }
        if (count == 0) {
            // Sums of many doubles drift; an empty window starts again from an exact zero.
            sum = 0;
        }
        newest = bucket;
        return bucket;
    }

    private int slot(long bucket) {
        return (int) Math.floorMod(bucket, (long) slots.length);
    }
}
