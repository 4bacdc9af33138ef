package dev.fusion.operators.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.metrics.HistogramStatistics;
import org.junit.jupiter.api.Test;

/** The sliding-window histogram keeps exactly the last values and computes their statistics. */
class SlidingWindowHistogramTest {

    @Test
    void emptyHistogramHasZeroStatistics() {
        HistogramStatistics s = new SlidingWindowHistogram(4).getStatistics();
        assertThat(s.size()).isZero();
        assertThat(s.getQuantile(0.5)).isZero();
        assertThat(s.getMean()).isZero();
        assertThat(s.getMax()).isZero();
    }

    @Test
    void keepsOnlyTheLastWindowOfValues() {
        SlidingWindowHistogram h = new SlidingWindowHistogram(4);
        for (long v = 1; v <= 10; v++) {
            h.update(v);
        }
        HistogramStatistics s = h.getStatistics();
        assertThat(h.getCount()).isEqualTo(10);
        assertThat(s.getValues()).containsExactly(7, 8, 9, 10);
        assertThat(s.getMin()).isEqualTo(7);
        assertThat(s.getMax()).isEqualTo(10);
        assertThat(s.getMean()).isEqualTo(8.5);
        assertThat(s.getQuantile(0.5)).isEqualTo(8);
        assertThat(s.getQuantile(0.75)).isEqualTo(9);
        assertThat(s.getQuantile(0.99)).isEqualTo(10);
        assertThat(s.getStdDev()).isEqualTo(Math.sqrt(5.0 / 3));
    }

    @Test
    void windowIsRoundedUpToAPowerOfTwo() {
        SlidingWindowHistogram h = new SlidingWindowHistogram(3);
        for (long v = 1; v <= 5; v++) {
            h.update(v);
        }
        assertThat(h.getStatistics().getValues()).containsExactly(2, 3, 4, 5);
        assertThatThrownBy(() -> new SlidingWindowHistogram(0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
