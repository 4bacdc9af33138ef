package dev.fusion.operators.watermarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.InstantiationUtil;
import org.apache.flink.util.clock.ManualClock;
import org.apache.flink.util.clock.RelativeClock;
import org.junit.jupiter.api.Test;

/**
 * A split is idle after {@code idleness} without a record once it has delivered one since its
 * source (re)started, and before that only after {@code startIdleness}: a source slow to fetch
 * its first records does not have its backlog declared idle.
 */
class StartAwareIdlenessTest {

    private static final Duration IDLENESS = Duration.ofSeconds(5);
    private static final Duration START_IDLENESS = Duration.ofSeconds(30);
    /** Flink's default periodic watermark interval, and this project's. */
    private static final long INTERVAL_MS = 200;
    private static final long OUT_OF_ORDERNESS_MS = 200;

    private final ManualClock clock = new ManualClock();
    private final Recorded output = new Recorded();
    private long nowMs;

    @Test
    void aSplitThatHasNotDeliveredARecordIsIdleOnlyAfterTheStartIdleness() {
        WatermarkGenerator<Long> split = splitGenerator(startAware());

        emitUntil(split, 29_000);
        assertThat(output.idleAt).as("idle marks before the start idleness").isEmpty();

        emitUntil(split, 31_000);
        // Silent from the first periodic emit (200 ms): idle at the first check past 30.2 s.
        assertThat(output.idleAt).containsExactly(30_400L);
        assertThat(output.watermarks).as("watermarks of a split without a record")
                .isNotEmpty().containsOnly(Long.MIN_VALUE);
    }

    @Test
    void aSplitWhoseFirstRecordComesLateIsNeverIdleAndThenIdleAfterTheIdleness() {
        WatermarkGenerator<Long> split = splitGenerator(startAware());

        // The reader's first fetch comes 12 s after the split was added: more than the idleness.
        emitUntil(split, 12_000);
        split.onEvent(1_000_000L, 1_000_000L, output);
        emitUntil(split, 16_000);
        assertThat(output.idleAt).isEmpty();
        assertThat(output.watermarks.get(output.watermarks.size() - 1))
                .isEqualTo(1_000_000L - OUT_OF_ORDERNESS_MS - 1);

        emitUntil(split, 18_000);
        // The record counts from the check after it (12.2 s): idle past 17.2 s.
        assertThat(output.idleAt).containsExactly(17_400L);
    }

    @Test
    void aRecordEndsIdlenessAndTheNextSilenceIsTheShortOne() {
        WatermarkGenerator<Long> split = splitGenerator(startAware());
        split.onEvent(1_000_000L, 1_000_000L, output);
        emitUntil(split, 6_000);
        assertThat(output.idleAt).containsExactly(5_400L);

        split.onEvent(1_000_500L, 1_000_500L, output);
        int before = output.watermarks.size();
        emitUntil(split, 12_000);
        assertThat(output.watermarks.subList(before, output.watermarks.size()))
                .as("watermarks after the record").isNotEmpty()
                .allMatch(w -> w == 1_000_500L - OUT_OF_ORDERNESS_MS - 1);
        assertThat(output.idleAt).containsExactly(5_400L, 11_400L);
    }

    @Test
    void flinksOwnIdlenessMarksASplitIdleBeforeItsFirstRecord() {
        // Why this class exists: withIdleness counts from the first periodic emit, read or not.
        WatermarkGenerator<Long> split = generator(WatermarkStrategy
                .<Long>forBoundedOutOfOrderness(Duration.ofMillis(OUT_OF_ORDERNESS_MS))
                .withIdleness(IDLENESS));
        emitUntil(split, 6_000);
        assertThat(output.idleAt).containsExactly(5_400L);
    }

    @Test
    void keepsTheTimestampsAndAlignmentOfTheStrategyItWraps() {
        SerializableTimestampAssigner<Long> assigner = (value, kafka) -> value * 2;
        WatermarkStrategy<Long> base = WatermarkStrategy
                .<Long>forBoundedOutOfOrderness(Duration.ofMillis(OUT_OF_ORDERNESS_MS))
                .withTimestampAssigner(assigner);
        StartAwareIdleness<Long> strategy =
                new StartAwareIdleness<>(base, IDLENESS, START_IDLENESS);
        assertThat(strategy.createTimestampAssigner(null).extractTimestamp(21L, 0L))
                .isEqualTo(42L);
        assertThat(strategy.getAlignmentParameters().isEnabled()).isFalse();
    }

    @Test
    void refusesAStartIdlenessShorterThanTheIdleness() {
        WatermarkStrategy<Long> base = WatermarkStrategy.forMonotonousTimestamps();
        assertThatThrownBy(() -> new StartAwareIdleness<>(base, IDLENESS, Duration.ofSeconds(4)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the start idleness (PT4S) must be at least the idleness (PT5S)");
        assertThatThrownBy(() -> new StartAwareIdleness<>(base, Duration.ZERO, START_IDLENESS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("idleness must be positive, got PT0S");
    }

    @Test
    void theMainOutputIsIdleAfterTheIdlenessOnceEverySplitHasDeliveredARecord() throws Exception {
        // The first generator is the main output's, which a Kafka reader never writes to; Flink
        // makes a subtask idle only when it and the splits' combined output both are.
        StartAwareIdleness<Long> strategy = startAware();
        Recorded mainOutput = new Recorded();
        Recorded firstSplit = new Recorded();
        Recorded secondSplit = new Recorded();
        WatermarkGenerator<Long> main = generator(strategy);
        WatermarkGenerator<Long> first = generator(strategy);
        WatermarkGenerator<Long> second = generator(strategy);
        Map<WatermarkGenerator<Long>, Recorded> all = new LinkedHashMap<>();
        all.put(main, mainOutput);
        all.put(first, firstSplit);
        all.put(second, secondSplit);

        emitAll(all, 6_000);
        first.onEvent(1_000_000L, 1_000_000L, firstSplit);
        emitAll(all, 10_000);
        assertThat(mainOutput.idleAt).as("main output while a split has not delivered").isEmpty();

        second.onEvent(1_000_000L, 1_000_000L, secondSplit);
        emitAll(all, 16_000);
        // Silent from its first check (200 ms): idle at the first check after the last split's
        // first record; each split 5 s after its own record.
        assertThat(mainOutput.idleAt).as("main output").containsExactly(10_200L);
        assertThat(firstSplit.idleAt).as("first split").containsExactly(11_400L);
        assertThat(secondSplit.idleAt).as("second split").containsExactly(15_400L);

        // Each subtask and run deserializes its own instance, which starts with the main output;
        // with no split at all, the main output waits for the start idleness.
        Recorded copyOutput = new Recorded();
        WatermarkGenerator<Long> copyMain = generator(InstantiationUtil.clone(strategy));
        nowMs = 0;
        emitUntil(copyMain, copyOutput, 31_000);
        assertThat(copyOutput.idleAt).as("main output of a copy without splits")
                .containsExactly(30_400L);
    }

    private StartAwareIdleness<Long> startAware() {
        return new StartAwareIdleness<>(WatermarkStrategy
                .<Long>forBoundedOutOfOrderness(Duration.ofMillis(OUT_OF_ORDERNESS_MS)),
                IDLENESS, START_IDLENESS);
    }

    /** A split's generator: the strategy's first generator is the main output's. */
    private WatermarkGenerator<Long> splitGenerator(StartAwareIdleness<Long> strategy) {
        generator(strategy);
        return generator(strategy);
    }

    private WatermarkGenerator<Long> generator(WatermarkStrategy<Long> strategy) {
        return strategy.createWatermarkGenerator(new WatermarkGeneratorSupplier.Context() {
            @Override
            public MetricGroup getMetricGroup() {
                return new UnregisteredMetricsGroup();
            }

            @Override
            public RelativeClock getInputActivityClock() {
                return clock;
            }
        });
    }

    /** Periodic emits every 200 ms, as the source runs them, up to {@code untilMs}. */
    private void emitUntil(WatermarkGenerator<Long> split, long untilMs) {
        emitUntil(split, output, untilMs);
    }

    /** Periodic emits of several outputs, each in turn every 200 ms, up to {@code untilMs}. */
    private void emitAll(Map<WatermarkGenerator<Long>, Recorded> outputs, long untilMs) {
        while (nowMs + INTERVAL_MS <= untilMs) {
            nowMs += INTERVAL_MS;
            clock.advanceTime(Duration.ofMillis(INTERVAL_MS));
            outputs.forEach((generator, to) -> {
                to.nowMs = nowMs;
                generator.onPeriodicEmit(to);
            });
        }
    }

    private void emitUntil(WatermarkGenerator<Long> split, Recorded to, long untilMs) {
        while (nowMs + INTERVAL_MS <= untilMs) {
            nowMs += INTERVAL_MS;
            clock.advanceTime(Duration.ofMillis(INTERVAL_MS));
            to.nowMs = nowMs;
            split.onPeriodicEmit(to);
        }
    }

    /** What a split's generator emitted: watermarks, and when it was marked idle. */
    private static final class Recorded implements WatermarkOutput {

        final List<Long> watermarks = new ArrayList<>();
        final List<Long> idleAt = new ArrayList<>();
        long nowMs;

        @Override
        public void emitWatermark(Watermark watermark) {
            watermarks.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {
            idleAt.add(nowMs);
        }

        @Override
        public void markActive() {
        }
    }
}
