package dev.fusion.operators.align;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusion.schemas.AlignmentPolicy;
import java.time.Duration;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

/** Validation of the alignment options: each error names its key. */
class AlignmentOptionsTest {

    private static final Duration ONE_SECOND = Duration.ofSeconds(1);

    @Test
    void keepsValidValuesInMilliseconds() {
        AlignmentOptions options = new AlignmentOptions(AlignmentPolicy.LATEST,
                Duration.ofMillis(1500), Duration.ZERO, Duration.ofMinutes(1));

        assertThat(options.windowMillis()).isEqualTo(1500);
        assertThat(options.allowedLatenessMillis()).isZero();
        assertThat(options.ttlMillis()).isEqualTo(60_000);
    }

    @Test
    void survivesJavaSerialization() throws Exception {
        AlignmentOptions options = AlignmentOptions.defaults(AlignmentPolicy.WINDOW);

        assertThat(InstantiationUtil.clone(options)).isEqualTo(options);
    }

    @Test
    void rejectsAMissingPolicy() {
        assertThatThrownBy(() -> new AlignmentOptions(null, ONE_SECOND, ONE_SECOND, ONE_SECOND))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("align.policy must be one of [window, latest]");
    }

    @Test
    void rejectsANonPositiveWindow() {
        assertThatThrownBy(() -> new AlignmentOptions(AlignmentPolicy.WINDOW, Duration.ZERO,
                ONE_SECOND, ONE_SECOND))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("align.window must be > 0, got PT0S");
        assertThatThrownBy(() -> new AlignmentOptions(AlignmentPolicy.WINDOW, null, ONE_SECOND,
                ONE_SECOND))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("align.window must be set");
    }

    @Test
    void rejectsNegativeLateness() {
        assertThatThrownBy(() -> new AlignmentOptions(AlignmentPolicy.WINDOW, ONE_SECOND,
                Duration.ofMillis(-1), ONE_SECOND))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("align.allowed-lateness must be >= 0, got PT-0.001S");
    }

    @Test
    void rejectsANonPositiveTtl() {
        assertThatThrownBy(() -> new AlignmentOptions(AlignmentPolicy.LATEST, ONE_SECOND,
                ONE_SECOND, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("align.ttl must be > 0, got PT0S");
    }

    @Test
    void keepsTheIdleFlushAndTheDuplicateHorizonAndTurnsThemOffByDefault() {
        AlignmentOptions options = new AlignmentOptions(AlignmentPolicy.WINDOW, ONE_SECOND,
                Duration.ZERO, ONE_SECOND, Duration.ofSeconds(10), Duration.ofMinutes(10));

        assertThat(options.idleFlushAfterMillis()).isEqualTo(10_000);
        assertThat(options.duplicateHorizonMillis()).isEqualTo(600_000);
        AlignmentOptions off = AlignmentOptions.defaults(AlignmentPolicy.WINDOW);
        assertThat(off.idleFlushAfterMillis()).isZero();
        assertThat(off.duplicateHorizonMillis()).isZero();
    }

    @Test
    void rejectsANegativeIdleFlushOrDuplicateHorizon() {
        assertThatThrownBy(() -> new AlignmentOptions(AlignmentPolicy.WINDOW, ONE_SECOND,
                ONE_SECOND, ONE_SECOND, Duration.ofMillis(-1), ONE_SECOND))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("align.idle-flush-after must be >= 0, got PT-0.001S");
        assertThatThrownBy(() -> new AlignmentOptions(AlignmentPolicy.WINDOW, ONE_SECOND,
                ONE_SECOND, ONE_SECOND, ONE_SECOND, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("align.duplicate-horizon must be set");
    }

    @Test
    void rejectsFractionsOfAMillisecond() {
        assertThatThrownBy(() -> new AlignmentOptions(AlignmentPolicy.WINDOW,
                Duration.ofNanos(1_500_000), ONE_SECOND, ONE_SECOND))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("align.window must be a whole number of milliseconds, got PT0.0015S");
    }

    @Test
    void parsesThePolicyCaseInsensitivelyAndListsTheValidValues() {
        assertThat(AlignmentOptions.parsePolicy("Latest")).isEqualTo(AlignmentPolicy.LATEST);
        assertThat(AlignmentOptions.parsePolicy(" window ")).isEqualTo(AlignmentPolicy.WINDOW);
        assertThatThrownBy(() -> AlignmentOptions.parsePolicy("session"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("align.policy must be one of [window, latest], got 'session'");
    }
}
