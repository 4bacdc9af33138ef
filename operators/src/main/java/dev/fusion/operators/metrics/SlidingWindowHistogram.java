package dev.fusion.operators.metrics;

import java.util.Arrays;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.HistogramStatistics;

/**
 * A histogram over the last {@code size} values, on Flink's public metrics API only.
 *
 * <p>One thread updates it (the task thread); the reporter thread reads it. An update is one
 * array store and one volatile write, without locks or allocation; a read copies the window, so a
 * value written during the copy may or may not be in it, which a monitoring statistic tolerates.
 */
public final class SlidingWindowHistogram implements Histogram {

    private final long[] values;
    private final int mask;
    /** Number of updates so far; written by the updating thread only. */
    private volatile long count;

    /** A window of the last {@code size} values; {@code size} is rounded up to a power of two. */
    public SlidingWindowHistogram(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("histogram window must be positive, got " + size);
        }
        int capacity = Integer.highestOneBit(size);
        if (capacity < size) {
            capacity <<= 1;
        }
        this.values = new long[capacity];
        this.mask = capacity - 1;
    }

    @Override
    public void update(long value) {
        long n = count;
        values[(int) (n & mask)] = value;
        count = n + 1;
    }

    @Override
    public long getCount() {
        return count;
    }

    @Override
    public HistogramStatistics getStatistics() {
        long n = count;
        int size = (int) Math.min(n, values.length);
        long[] copy = Arrays.copyOf(values, size);
        Arrays.sort(copy);
        return new Statistics(copy);
    }

    /** Statistics of one sorted snapshot of the window. */
    private static final class Statistics extends HistogramStatistics {

        private final long[] sorted;

        Statistics(long[] sorted) {
            this.sorted = sorted;
        }

        @Override
        public double getQuantile(double quantile) {
            if (sorted.length == 0) {
                return 0;
            }
            // Nearest rank: the smallest value with at least quantile * size values at or below it.
            int rank = (int) Math.ceil(quantile * sorted.length);
            return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
        }

        @Override
        public long[] getValues() {
            return sorted.clone();
        }

        @Override
        public int size() {
            return sorted.length;
        }

        @Override
        public double getMean() {
            if (sorted.length == 0) {
                return 0;
            }
            double sum = 0;
            for (long v : sorted) {
                sum += v;
            }
            return sum / sorted.length;
        }

        @Override
        public double getStdDev() {
            if (sorted.length < 2) {
                return 0;
            }
            double mean = getMean();
            double squares = 0;
            for (long v : sorted) {
                squares += (v - mean) * (v - mean);
            }
            return Math.sqrt(squares / (sorted.length - 1));
        }

        @Override
        public long getMax() {
            return sorted.length == 0 ? 0 : sorted[sorted.length - 1];
        }

        @Override
        public long getMin() {
            return sorted.length == 0 ? 0 : sorted[0];
        }
    }
}
