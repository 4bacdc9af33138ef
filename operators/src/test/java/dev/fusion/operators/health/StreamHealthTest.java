package dev.fusion.operators.health;

import static dev.fusion.operators.health.StreamHealth.Transition.DEGRADED;
import static dev.fusion.operators.health.StreamHealth.Transition.NONE;
import static dev.fusion.operators.health.StreamHealth.Transition.RECOVERED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The health state machine: enter, stay, leave, time hysteresis; times are the test's. */
class StreamHealthTest {

    private static StreamHealth health(double level, long delayMillis) {
        return new StreamHealth(new HealthOptions(level, Duration.ofSeconds(10),
                Duration.ofMillis(delayMillis)));
    }

    @Test
    void entersOnlyAfterTheMeanStayedBelowForTheWholeDelay() {
        StreamHealth h = health(0.3, 10_000);
        assertThat(h.update(0.8, 0)).isEqualTo(NONE);
        assertThat(h.update(0.1, 1_000)).isEqualTo(NONE);
        assertThat(h.update(0.1, 10_999)).isEqualTo(NONE);
        assertThat(h.degraded()).isFalse();

        assertThat(h.update(0.1, 11_000)).isEqualTo(DEGRADED);
        assertThat(h.degraded()).isTrue();
        assertThat(h.lastChangeAfterMillis()).isEqualTo(10_000);
    }

    @Test
    void staysDegradedWithoutAnotherTransitionWhileTheMeanStaysLow() {
        StreamHealth h = health(0.3, 1_000);
        h.update(0.1, 0);
        assertThat(h.update(0.1, 1_000)).isEqualTo(DEGRADED);
        for (long t = 1_100; t < 60_000; t += 100) {
            assertThat(h.update(0.05, t)).as("at %d ms", t).isEqualTo(NONE);
        }
        assertThat(h.degraded()).isTrue();
    }

    @Test
    void leavesOnlyAfterTheMeanStayedAtOrAboveTheLevelForTheWholeDelay() {
        StreamHealth h = health(0.3, 1_000);
        h.update(0.1, 0);
        h.update(0.1, 1_000);
        assertThat(h.update(0.3, 2_000)).as("at the level counts as healthy").isEqualTo(NONE);
        assertThat(h.update(0.9, 2_999)).isEqualTo(NONE);

        assertThat(h.update(0.9, 3_000)).isEqualTo(RECOVERED);
        assertThat(h.degraded()).isFalse();
        assertThat(h.lastChangeAfterMillis()).isEqualTo(1_000);
    }

    @Test
    void aDipOrASpikeShorterThanTheDelayChangesNothing() {
        StreamHealth h = health(0.3, 1_000);
        h.update(0.1, 0);
        h.update(0.9, 999);   // the dip ends before the delay: its clock restarts
        assertThat(h.update(0.1, 1_500)).isEqualTo(NONE);
        assertThat(h.update(0.1, 2_499)).isEqualTo(NONE);
        assertThat(h.degraded()).isFalse();
        assertThat(h.update(0.1, 2_500)).isEqualTo(DEGRADED);

        h.update(0.9, 3_000);
        h.update(0.1, 3_500); // the same in the other direction
        assertThat(h.update(0.9, 4_400)).isEqualTo(NONE);
        assertThat(h.degraded()).isTrue();
    }

    @Test
    void aNaNMeanIsNoEvidenceEitherWay() {
        StreamHealth h = health(0.3, 1_000);
        h.update(0.1, 0);
        assertThat(h.update(Double.NaN, 500)).isEqualTo(NONE);
        assertThat(h.update(0.1, 1_000)).isEqualTo(DEGRADED);
    }

    @Test
    void aZeroDelayChangesAtTheFirstMeanOnTheOtherSide() {
        StreamHealth h = health(0.3, 0);
        assertThat(h.update(0.29, 7)).isEqualTo(DEGRADED);
        assertThat(h.update(0.31, 8)).isEqualTo(RECOVERED);
    }

    @Test
    void aZeroLevelTurnsTheCheckOff() {
        StreamHealth h = health(0.0, 0);
        assertThat(h.update(0.0, 0)).isEqualTo(NONE);
        assertThat(h.update(0.0, 100_000)).isEqualTo(NONE);
        assertThat(h.degraded()).isFalse();
    }

    @Test
    void optionsNameTheKeyOfABadValue() {
        assertThatThrownBy(() -> new HealthOptions(1.0, Duration.ofSeconds(1), Duration.ZERO))
                .hasMessage("health.min-mean-gate must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> new HealthOptions(Double.NaN, Duration.ofSeconds(1),
                Duration.ZERO))
                .hasMessage("health.min-mean-gate must be in [0, 1), got NaN");
        assertThatThrownBy(() -> new HealthOptions(0.3, Duration.ofMillis(9), Duration.ZERO))
                .hasMessage("health.window must be at least 10 ms, got PT0.009S");
        assertThatThrownBy(() -> new HealthOptions(0.3, Duration.ofSeconds(1),
                Duration.ofMillis(-1)))
                .hasMessage("health.degraded-after must not be negative, got PT-0.001S");
    }
}
