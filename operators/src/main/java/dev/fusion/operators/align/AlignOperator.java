package dev.fusion.operators.align;

import dev.fusion.models.manifest.Modality;
import dev.fusion.operators.metrics.StreamMetrics;
import dev.fusion.operators.outputs.DroppedEvents;
import dev.fusion.operators.outputs.SideOutputs;
import dev.fusion.operators.records.FusionRequest;
import dev.fusion.operators.records.RoutedRecord;
import dev.fusion.schemas.DropReason;
import dev.fusion.schemas.DroppedEvent;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an {@link AlignFunction} and adds what no single key can do: it fuses what is pending
 * when every input has gone quiet, drops copies of an event id as DUPLICATE, and at end of input
 * fires everything.
 *
 * <p><b>Idle flush.</b> When every input of the operator is idle (its watermark status, which
 * the sources announce after {@code watermarks.idleness} without records, or
 * {@code watermarks.start-idleness} for a partition without a record since the start, and which
 * follows every record they sent) and for {@code align.idle-flush-after} no record arrived and the
 * watermark did not advance, the operator advances its own event-time clock, for all keys at
 * once, to {@code min(now - idle-flush-after, latest due time of any accepted record)}. So a
 * flush never fuses ahead of records that reach the job within the wait of their event time, and
 * never moves the clock past what is pending (a later burst of old, replayed data is not made
 * late by the wall clock). Records late for the flushed time are dropped LATE saying so; a fused
 * window is never re-opened. The flushed time and the latest due time are operator state, so a
 * restored job keeps both (after rescaling, the highest of the old subtasks'). The flush moves
 * only this operator's timers: downstream sees the real watermarks once they pass it, so the
 * watermark it emits never goes backwards.
 *
 * <p><b>Duplicates.</b> With {@code align.duplicate-horizon} set, the first copy of an event id
 * of an entity goes to the function; later copies within the horizon go to the dropped output as
 * DUPLICATE and never trigger or join a fusion ({@link SeenEventIds}).
 *
 * <p><b>End of input</b> (bounded input, or stop-with-savepoint {@code --drain}): the operator
 * advances its event time to the end so that every pending window and trigger fires. Normally
 * the final watermark does that, but Flink 2.2 drops the final watermark of a drain while the
 * sources are idle (FLINK-40499). A stop without drain does not end the input, so its state stays
 * in the savepoint, as it should.
 */
public class AlignOperator extends KeyedProcessOperator<String, RoutedRecord, FusionRequest>
        implements BoundedOneInput {

    /** The gauge of how far event time is behind the wall clock here (docs/METRICS.md). */
    public static final String EVENT_TIME_LAG_MS = "eventTimeLagMs";

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(AlignOperator.class);

    private final AlignFunction align;
    private final List<Modality> modalities;
    private final long idleFlushAfterMillis;
    private final long duplicateHorizonMillis;

    /** The event time this operator's timers were last advanced to. */
    private transient long timersAt;
    /** The highest watermark received. */
    private transient long watermark;
    /** The event time the idle flushes advanced to (operator state). */
    private transient long idleFlushedTo;
    /** The latest due time of any record accepted so far (operator state). */
    private transient long dueUntil;
    /** Processing time of the last record or watermark advance. */
    private transient long lastProgress;
    private transient boolean inputIdle;
    /** Whether this quiet period's first idle flush was logged. */
    private transient boolean flushAnnounced;
    /** Processing time of the earliest idle check scheduled, or MIN_VALUE. */
    private transient long checkAt;
    private transient ListState<Long> idleFlushedToState;
    private transient ListState<Long> dueUntilState;
    private transient SeenEventIds seen;
    /** DUPLICATE drops per stream, by slot. */
    private transient Counter[] duplicates;
    private transient ListState<Integer> formatState;
    /** Whether the restored keyed state is of format 1 and must be moved into today's. */
    private transient boolean legacyRestored;

    /**
     * @param modalities the streams, in slot order (the manifest's modalities), as many as the
     *     function's fusions have slots
     */
    public AlignOperator(AlignFunction function, AlignmentOptions options,
            List<Modality> modalities) {
        super(function);
        if (modalities.size() != function.modalities) {
            throw new IllegalArgumentException(modalities.size() + " streams for an alignment of "
                    + function.modalities + " slots");
        }
        this.align = function;
        this.modalities = List.copyOf(modalities);
        this.idleFlushAfterMillis = options.idleFlushAfterMillis();
        this.duplicateHorizonMillis = options.duplicateHorizonMillis();
    }

    static ListStateDescriptor<Long> idleFlushedToDescriptor() {
        return new ListStateDescriptor<>("align-idle-flushed-to", Types.LONG);
    }

    static ListStateDescriptor<Long> dueUntilDescriptor() {
        return new ListStateDescriptor<>("align-due-until", Types.LONG);
    }

    /** The state format (operator state): absent in state written by format 1. */
    static ListStateDescriptor<Integer> formatDescriptor() {
        return new ListStateDescriptor<>("align-state-format", Types.INT);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        // Union state: after rescaling every subtask sees every old subtask's value.
        idleFlushedToState = context.getOperatorStateStore()
                .getUnionListState(idleFlushedToDescriptor());
        dueUntilState = context.getOperatorStateStore().getUnionListState(dueUntilDescriptor());
        idleFlushedTo = max(idleFlushedToState.get());
        dueUntil = max(dueUntilState.get());
        formatState = context.getOperatorStateStore().getUnionListState(formatDescriptor());
        legacyRestored = context.isRestored() && !formatState.get().iterator().hasNext();
        formatState.update(List.of(LegacyAlignState.FORMAT));
    }

    @Override
    public void open() throws Exception {
        super.open();
        timersAt = Long.MIN_VALUE;
        watermark = Long.MIN_VALUE;
        lastProgress = now();
        inputIdle = false;
        flushAnnounced = false;
        checkAt = Long.MIN_VALUE;
        if (legacyRestored) {
            new LegacyAlignState(getKeyedStateBackend(), modalities).migrate();
        }
        Counter[] late = new Counter[modalities.size()];
        Counter[] overflow = new Counter[late.length];
        duplicates = new Counter[late.length];
        for (Modality m : modalities) {
            late[m.index()] = StreamMetrics.of(getMetricGroup(), m)
                    .counter(StreamMetrics.DROPPED_LATE);
            duplicates[m.index()] = StreamMetrics.of(getMetricGroup(), m)
                    .counter(StreamMetrics.DROPPED_DUPLICATE);
            overflow[m.index()] = StreamMetrics.of(getMetricGroup(), m)
                    .counter(StreamMetrics.DROPPED_OVERFLOW);
        }
        align.bind(() -> idleFlushedTo, late, overflow);
        getMetricGroup().gauge(EVENT_TIME_LAG_MS, this::eventTimeLagMillis);
        // Created even with duplicates off, so that seen ids and timers restored from a run that
        // had them on are cleaned up rather than left without a timer target.
        seen = new SeenEventIds(duplicateHorizonMillis, align::lateAt,
                getPartitionedState(SeenEventIds.descriptor()));
        seen.useTimers(getInternalTimerService(SeenEventIds.TIMERS,
                VoidNamespaceSerializer.INSTANCE, seen));
        seen.rebuild(getKeyedStateBackend());
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        idleFlushedToState.update(List.of(idleFlushedTo));
        dueUntilState.update(List.of(dueUntil));
    }

    @Override
    public void processElement(StreamRecord<RoutedRecord> element) throws Exception {
        lastProgress = now();
        RoutedRecord record = element.getValue();
        if (duplicateHorizonMillis > 0) {
            Long first = seen.firstCopy(record, Math.max(timersAt, idleFlushedTo));
            if (first != null) {
                DroppedEvent dropped = DroppedEvents.of(record, DropReason.DUPLICATE,
                        "a copy of an event id this entity already sent (first copy at event time "
                                + EventTime.format(first) + ", within "
                                + AlignmentOptions.DUPLICATE_HORIZON + " "
                                + duplicateHorizonMillis + " ms): not fused again");
                duplicates[record.slot].inc();
                output.collect(SideOutputs.DROPPED, element.hasTimestamp()
                        ? new StreamRecord<>(dropped, element.getTimestamp())
                        : new StreamRecord<>(dropped));
                return;
            }
        }
        dueUntil = Math.max(dueUntil, align.dueAt(record.eventTime));
        super.processElement(element);
        if (inputIdle) {
            scheduleIdleCheck(EventTime.plus(lastProgress, idleFlushAfterMillis));
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        long t = mark.getTimestamp();
        if (t > watermark) {
            watermark = t;
            lastProgress = now();
        }
        // After an idle flush, real watermarks at or below it change nothing, and are not passed
        // on: the timers must not go back, nor must the watermark downstream.
        if (t > timersAt) {
            timersAt = t;
            super.processWatermark(mark);
        }
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus status) throws Exception {
        inputIdle = status.isIdle();
        if (inputIdle) {
            scheduleIdleCheck(EventTime.plus(lastProgress, idleFlushAfterMillis));
        } else {
            flushAnnounced = false;
        }
        super.processWatermarkStatus(status);
    }

    @Override
    public void endInput() throws Exception {
        if (timersAt < Long.MAX_VALUE) {
            processWatermark(Watermark.MAX_WATERMARK);
        }
    }

    private void scheduleIdleCheck(long at) {
        if (idleFlushAfterMillis > 0 && (checkAt == Long.MIN_VALUE || at < checkAt)) {
            checkAt = at;
            getProcessingTimeService().registerTimer(at, this::idleCheck);
        }
    }

    private void idleCheck(long time) throws Exception {
        if (time >= checkAt) {
            checkAt = Long.MIN_VALUE;
        }
        if (!inputIdle) {
            return;
        }
        long due = EventTime.plus(lastProgress, idleFlushAfterMillis);
        if (time < due) {
            scheduleIdleCheck(due);
            return;
        }
        long bound = Math.min(EventTime.minus(time, idleFlushAfterMillis), dueUntil);
        if (bound > timersAt) {
            // Once per quiet period at INFO: it explains LATE drops that may follow.
            if (flushAnnounced) {
                LOG.debug("idle flush: fusing what is due by {}", EventTime.format(bound));
            } else {
                LOG.info("every input idle and nothing new for {} ms: fusing what is due by {}",
                        idleFlushAfterMillis, EventTime.format(bound));
                flushAnnounced = true;
            }
            idleFlushedTo = Math.max(idleFlushedTo, bound);
            timersAt = bound;
        }
        // Also when the bound is not ahead: records accepted within the allowed lateness after
        // the last advance have timers at or below it, which fire only when time is advanced.
        timeServiceManager.advanceWatermark(new Watermark(timersAt));
        if (dueUntil > bound) {
            scheduleIdleCheck(EventTime.plus(dueUntil, idleFlushAfterMillis));
        }
    }

    /**
     * How far the alignment's event time (the watermark, or an idle flush's bound) is behind the
     * wall clock: outputs wait at least this long; -1 before the first watermark.
     */
    private long eventTimeLagMillis() {
        return timersAt == Long.MIN_VALUE || timersAt == Long.MAX_VALUE ? -1 : Math.max(0, now() - timersAt);
    }

    private long now() {
        return getProcessingTimeService().getCurrentProcessingTime();
    }

    private static long max(Iterable<Long> values) {
        long max = Long.MIN_VALUE;
        for (Long v : values) {
            max = Math.max(max, v);
        }
        return max;
    }
}
