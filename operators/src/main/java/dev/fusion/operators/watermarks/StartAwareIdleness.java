package dev.fusion.operators.watermarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.WatermarkAlignmentParams;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.util.clock.RelativeClock;

/**
 * Per-partition idleness that does not take a partition the source has not read yet for a
 * silent one: a watermark strategy that marks a split idle after {@code idleness} without a
 * record, but, until the split's first record since its source (re)started, only after
 * {@code startIdleness}.
 *
 * <p>Why: Flink's {@link WatermarkStrategy#withIdleness} counts a split's silence from the first
 * periodic watermark after the split is added or restored, before its reader has fetched
 * anything. A source subtask slow to deliver its first records after a (re)start (a replacement
 * TaskManager, a busy machine, a reader whose first fetches are all another partition's backlog)
 * then has its splits declared idle while they still hold a backlog; the other subtasks move the
 * watermark past it, and the backlog arrives LATE. A partition that never gets a record still
 * stops holding back the watermark, {@code startIdleness} after the start.
 *
 * <p>Silence is measured on the split's input-activity clock, which Flink pauses while the
 * source is back-pressured, as {@link WatermarkStrategy#withIdleness} does.
 *
 * <p>Flink marks a source subtask idle only when its splits' combined output and its main
 * output both are. The main output, which a split-based reader (Kafka's) never writes to, is
 * created first, before any split's output, so the first generator an instance of this strategy
 * creates (Flink deserializes one per subtask and run) is the main output's. It follows the
 * splits: {@code idleness} once every split of the subtask has delivered a record since the
 * start, {@code startIdleness} before. It must not be idle earlier: Flink leaves the splits'
 * combined output marked idle from a periodic watermark before the splits were assigned until
 * their watermark advances, so an idle main output would then make the whole subtask idle while
 * a split has not been read yet.
 */
public final class StartAwareIdleness<T> implements WatermarkStrategy<T> {

    private static final long serialVersionUID = 1L;

    private final WatermarkStrategy<T> watermarks;
    private final Duration idleness;
    private final Duration startIdleness;
    /** The split outputs' generators; null until the main output's (the first) is created. */
    private transient List<Generator<T>> splits;

    /**
     * @param watermarks the watermarks and timestamps of a split that is not idle
     * @param idleness silence after which a split that has delivered a record is idle
     * @param startIdleness silence after which a split without a record since its source
     *     (re)started is idle; at least {@code idleness}
     */
    public StartAwareIdleness(WatermarkStrategy<T> watermarks, Duration idleness,
            Duration startIdleness) {
        if (idleness.isNegative() || idleness.isZero()) {
            throw new IllegalArgumentException("idleness must be positive, got " + idleness);
        }
        if (startIdleness.compareTo(idleness) < 0) {
            throw new IllegalArgumentException("the start idleness (" + startIdleness
                    + ") must be at least the idleness (" + idleness + ")");
        }
        this.watermarks = watermarks;
        this.idleness = idleness;
        this.startIdleness = startIdleness;
    }

    @Override
    public WatermarkGenerator<T> createWatermarkGenerator(
            WatermarkGeneratorSupplier.Context context) {
        WatermarkGenerator<T> delegate = watermarks.createWatermarkGenerator(context);
        RelativeClock clock = context.getInputActivityClock();
        if (splits == null) {
            List<Generator<T>> ofSplits = new ArrayList<>();
            splits = ofSplits;
            return new Generator<>(delegate, clock, idleness, startIdleness,
                    () -> !ofSplits.isEmpty() && ofSplits.stream().allMatch(Generator::delivered));
        }
        Generator<T> split =
                new Generator<>(delegate, clock, idleness, startIdleness, () -> false);
        splits.add(split);
        return split;
    }

    @Override
    public TimestampAssigner<T> createTimestampAssigner(TimestampAssignerSupplier.Context context) {
        return watermarks.createTimestampAssigner(context);
    }

    @Override
    public WatermarkAlignmentParams getAlignmentParameters() {
        return watermarks.getAlignmentParameters();
    }

    /** One output's watermarks, marked idle after the silence its state allows. */
    static final class Generator<T> implements WatermarkGenerator<T> {

        private static final long NEVER = Long.MIN_VALUE;

        private final WatermarkGenerator<T> watermarks;
        private final RelativeClock clock;
        private final long idleNanos;
        private final long startIdleNanos;
        /** Whether the short idleness applies although this output has had no record. */
        private final BooleanSupplier startedElsewhere;
        /** Records seen; compared at each periodic emit, so the clock is not read per record. */
        private long records;
        private long recordsAtLastCheck;
        /** Input-activity time from which the split has been silent, or NEVER. */
        private long silentSince = NEVER;
        private boolean idle;

        Generator(WatermarkGenerator<T> watermarks, RelativeClock clock, Duration idleness,
                Duration startIdleness, BooleanSupplier startedElsewhere) {
            this.watermarks = watermarks;
            this.clock = clock;
            this.idleNanos = nanos(idleness);
            this.startIdleNanos = nanos(startIdleness);
            this.startedElsewhere = startedElsewhere;
        }

        /** Whether this output has had a record since it was created. */
        boolean delivered() {
            return records > 0;
        }

        @Override
        public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
            watermarks.onEvent(event, eventTimestamp, output);
            records++;
            idle = false;
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            if (silentTooLong()) {
                if (!idle) {
                    output.markIdle();
                    idle = true;
                }
            } else {
                watermarks.onPeriodicEmit(output);
            }
        }

        private boolean silentTooLong() {
            long now = clock.relativeTimeNanos();
            if (records != recordsAtLastCheck || silentSince == NEVER) {
                recordsAtLastCheck = records;
                silentSince = now;
                return false;
            }
            boolean started = records > 0 || startedElsewhere.getAsBoolean();
            return now - silentSince > (started ? idleNanos : startIdleNanos);
        }

        private static long nanos(Duration d) {
            try {
                return d.toNanos();
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }
    }
}
