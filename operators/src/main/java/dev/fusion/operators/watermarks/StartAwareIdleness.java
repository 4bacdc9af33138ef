package dev.fusion.operators.watermarks;

import java.time.Duration;
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
 * <p>A source subtask is idle when its splits are and so is its main output, which Flink
 * creates first, before any split's output, and which a split-based reader (Kafka's) never
 * writes to. The first generator an instance of this strategy creates (Flink deserializes one
 * per subtask and run) is therefore the main output's, and it has the plain idleness: were it to
 * wait for the start idleness, a subtask all of whose partitions went quiet just after a start
 * would hold back the watermark that long.
 */
public final class StartAwareIdleness<T> implements WatermarkStrategy<T> {

    private static final long serialVersionUID = 1L;

    private final WatermarkStrategy<T> watermarks;
    private final Duration idleness;
    private final Duration startIdleness;
    /** Whether this instance created the main output's generator (its first). */
    private transient boolean mainOutputCreated;

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
        Duration beforeFirstRecord = mainOutputCreated ? startIdleness : idleness;
        mainOutputCreated = true;
        return new Generator<>(watermarks.createWatermarkGenerator(context),
                context.getInputActivityClock(), idleness, beforeFirstRecord);
    }

    @Override
    public TimestampAssigner<T> createTimestampAssigner(TimestampAssignerSupplier.Context context) {
        return watermarks.createTimestampAssigner(context);
    }

    @Override
    public WatermarkAlignmentParams getAlignmentParameters() {
        return watermarks.getAlignmentParameters();
    }

    /** One split's watermarks, marked idle after the silence its state allows. */
    static final class Generator<T> implements WatermarkGenerator<T> {

        private static final long NEVER = Long.MIN_VALUE;

        private final WatermarkGenerator<T> watermarks;
        private final RelativeClock clock;
        private final long idleNanos;
        private final long startIdleNanos;
        /** Records seen; compared at each periodic emit, so the clock is not read per record. */
        private long records;
        private long recordsAtLastCheck;
        /** Input-activity time from which the split has been silent, or NEVER. */
        private long silentSince = NEVER;
        private boolean idle;

        /** {@code startIdleness}: the silence allowed before the first record. */
        Generator(WatermarkGenerator<T> watermarks, RelativeClock clock, Duration idleness,
                Duration startIdleness) {
            this.watermarks = watermarks;
            this.clock = clock;
            this.idleNanos = nanos(idleness);
            this.startIdleNanos = nanos(startIdleness);
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
            return now - silentSince > (records == 0 ? startIdleNanos : idleNanos);
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
