package dev.fusion.operators.align;

import dev.fusion.operators.records.FusionRequest;
import dev.fusion.operators.records.RoutedRecord;
import java.util.function.LongSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;

/**
 * An alignment policy's keyed function as {@link AlignOperator} runs it: lateness is judged
 * against the watermark or, when it is later, the operator's last idle flush; and the policy says
 * when a record's fusion is due and from which watermark on a record is late.
 */
public abstract class AlignFunction
        extends KeyedProcessFunction<String, RoutedRecord, FusionRequest> {

    private static final long serialVersionUID = 1L;

    private final long idleFlushAfterMillis;
    /** M, the slots of each fusion. */
    final int modalities;

    /** The event time the operator's idle flushes reached; null outside an AlignOperator. */
    private transient LongSupplier idleFlushedTo;
    /** LATE drops per stream, by slot; null outside an AlignOperator. */
    private transient Counter[] late;
    /** OVERFLOW drops per stream, by slot; null outside an AlignOperator. */
    private transient Counter[] overflow;

    protected AlignFunction(AlignmentOptions options, int modalities) {
        if (modalities < 1) {
            throw new IllegalArgumentException("modalities must be >= 1, got " + modalities);
        }
        this.idleFlushAfterMillis = options.idleFlushAfterMillis();
        this.modalities = modalities;
    }

    /** The event time at which the fusion a record of event time {@code eventTime} joins is due. */
    abstract long dueAt(long eventTime);

    /** The lowest watermark at which a record of event time {@code eventTime} is late. */
    abstract long lateAt(long eventTime);

    /**
     * Called by the operator before any record: where its idle flushes have reached, and the
     * counters of LATE and OVERFLOW drops per stream (by slot).
     */
    final void bind(LongSupplier flushedTo, Counter[] lateByStream, Counter[] overflowByStream) {
        this.idleFlushedTo = flushedTo;
        this.late = lateByStream;
        this.overflow = overflowByStream;
    }

    /** Counts one LATE drop of {@code record}'s stream; the policy emits the dropped event. */
    final void countLate(RoutedRecord record) {
        if (late != null) {
            late[record.slot].inc();
        }
    }

    /** Counts one OVERFLOW drop of {@code record}'s stream; the policy emits the dropped event. */
    final void countOverflow(RoutedRecord record) {
        if (overflow != null) {
            overflow[record.slot].inc();
        }
    }

    /** The event time lateness is judged against: the watermark, or an idle flush past it. */
    final long watermark(TimerService timers) {
        return Math.max(timers.currentWatermark(), flushedTo());
    }

    /** How a LATE message names what the record came too late for. */
    final String lateFor(long watermark) {
        if (watermark == flushedTo() && watermark != Long.MIN_VALUE) {
            return "it came after an idle flush fused everything due by "
                    + EventTime.format(watermark) + " (every input idle, nothing new for "
                    + AlignmentOptions.IDLE_FLUSH_AFTER + " " + idleFlushAfterMillis + " ms)";
        }
        return "watermark " + EventTime.format(watermark);
    }

    private long flushedTo() {
        return idleFlushedTo == null ? Long.MIN_VALUE : idleFlushedTo.getAsLong();
    }
}
