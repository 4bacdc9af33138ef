package dev.fusion.operators.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The time-bucketed sliding mean, on a clock the test moves. */
class SlidingMeanTest {

    @Test
    void isNaNWithoutValuesAndTheMeanOfTheValuesInTheWindow() {
        SlidingMean mean = new SlidingMean(1_000, 10);
        assertThat(mean.mean(0)).isNaN();
        mean.add(0.2, 0);
        mean.add(0.4, 150);
        mean.add(0.9, 990);

        assertThat(mean.mean(990)).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void valuesLeaveTheWindowOneBucketAtATime() {
        SlidingMean mean = new SlidingMean(1_000, 10);
        mean.add(1.0, 50);   // bucket 0
        mean.add(0.0, 150);  // bucket 1
        mean.add(0.5, 950);  // bucket 9

        // Buckets 0..9 are the window up to 999 ms; at 1000 ms bucket 0 falls out.
        assertThat(mean.mean(999)).isEqualTo(0.5);
        assertThat(mean.mean(1_000)).isEqualTo(0.25);
        assertThat(mean.mean(1_100)).isEqualTo(0.5);
        assertThat(mean.mean(1_900)).isNaN();
    }

    @Test
    void aLongSilenceEmptiesTheWholeRing() {
        SlidingMean mean = new SlidingMean(1_000, 10);
        for (long t = 0; t < 1_000; t += 10) {
            mean.add(0.7, t);
        }
        mean.add(0.1, 1_000_000);

        assertThat(mean.mean(1_000_000)).isEqualTo(0.1);
    }

    @Test
    void aClockThatStepsBackAddsToTheNewestBucket() {
        SlidingMean mean = new SlidingMean(1_000, 10);
        mean.add(1.0, 5_000);
        mean.add(0.0, 4_000);

        assertThat(mean.mean(5_000)).isEqualTo(0.5);
    }

    @Test
    void rejectsAWindowShorterThanItsBuckets() {
        assertThatThrownBy(() -> new SlidingMean(9, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a sliding window of 9 ms in 10 buckets");
    }
}
