package dev.fusion.operators.align;

import dev.fusion.operators.outputs.DroppedEvents;
import dev.fusion.operators.outputs.SideOutputs;
import dev.fusion.operators.records.FusionRequest;
import dev.fusion.operators.records.RoutedRecord;
import dev.fusion.schemas.AlignmentPolicy;
import dev.fusion.schemas.DropReason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.util.Collector;

/**
 * Latest policy (zero-order hold): every accepted record triggers one fusion with, for each other
 * modality, the entity's newest record not older than {@code align.ttl}.
 *
 * <p>Records wait in state until the watermark reaches their event time, so triggers are handled
 * in event-time order and the output does not depend on arrival order. Records at one timestamp
 * are handled by (modality, event id), after all of them have joined the history.
 *
 * <p>Each trigger also schedules the cleanup of what it added, {@code align.ttl} plus the allowed
 * lateness later, rounded up to a sixteenth of the ttl: triggers of an entity within one such
 * step share a cleanup timer, so an entity holds about 17 of them however often it sends, and its
 * state outlives its last record by at most a sixteenth of the ttl more.
 */
public class LatestAlignFunction extends AlignFunction {

    private static final long serialVersionUID = 1L;

    private static final Comparator<RoutedRecord> TRIGGER_ORDER =
            Comparator.<RoutedRecord>comparingInt(r -> r.slot)
                    .thenComparing(r -> r.eventId);
    private static final Comparator<RoutedRecord> HISTORY_ORDER =
            Comparator.<RoutedRecord>comparingLong(r -> r.eventTime).thenComparing(r -> r.eventId);

    private final long latenessMillis;
    private final long ttlMillis;
    private final long cleanupGranularityMillis;
    private final int dim;

    /** Accepted records not yet triggered, by event time. */
    private transient MapState<Long, RoutedRecord[]> pending;
    /** Triggered records a future trigger may still hold, per slot, in HISTORY_ORDER. */
    private transient MapState<Integer, RoutedRecord[]> history;

    public LatestAlignFunction(AlignmentOptions options, int modalities, int dim) {
        super(options, modalities);
        if (dim <= 0) {
            throw new IllegalArgumentException("embedding dimension must be positive, got " + dim);
        }
        this.latenessMillis = options.allowedLatenessMillis();
        this.ttlMillis = options.ttlMillis();
        this.cleanupGranularityMillis = EventTime.cleanupStep(ttlMillis);
        this.dim = dim;
    }

    static MapStateDescriptor<Long, RoutedRecord[]> pendingDescriptor() {
        return new MapStateDescriptor<>("align-latest-pending", AlignStateTypes.TIMESTAMP,
                AlignStateTypes.RECORDS);
    }

    static MapStateDescriptor<Integer, RoutedRecord[]> historyDescriptor() {
        return new MapStateDescriptor<>("align-latest-history-by-slot", AlignStateTypes.SLOT,
                AlignStateTypes.RECORDS);
    }

    @Override
    public void open(OpenContext openContext) {
        pending = getRuntimeContext().getMapState(pendingDescriptor());
        history = getRuntimeContext().getMapState(historyDescriptor());
    }

    @Override
    public void processElement(RoutedRecord record, Context ctx, Collector<FusionRequest> out)
            throws Exception {
        long t = record.eventTime;
        long watermark = watermark(ctx.timerService());
        if (lateAt(t) <= watermark) {
            countLate(record);
            ctx.output(SideOutputs.DROPPED, DroppedEvents.of(record, DropReason.LATE,
                    "event time " + EventTime.format(t) + " is late: " + lateFor(watermark)
                            + ", allowed lateness " + latenessMillis
                            + " ms"));
            return;
        }
        pending.put(t, append(pending.get(t), record));
        ctx.timerService().registerEventTimeTimer(t);
    }

    @Override
    long dueAt(long eventTime) {
        return eventTime;
    }

    @Override
    long lateAt(long eventTime) {
        return EventTime.plus(eventTime, latenessMillis);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FusionRequest> out)
            throws Exception {
        // One timer per timestamp serves both as trigger and as cleanup: trigger first, so a
        // record exactly ttl old is still held before it is pruned.
        RoutedRecord[] due = pending.get(timestamp);
        if (due != null) {
            pending.remove(timestamp);
            trigger(ctx.getCurrentKey(), timestamp, due, out);
            ctx.timerService().registerEventTimeTimer(cleanupAt(timestamp));
        }
        // Triggers still to come: pending ones (later than this timer, since timers fire in
        // order) and records yet to arrive (later than watermark - lateness).
        long watermark = ctx.timerService().currentWatermark();
        long horizon = Math.min(EventTime.plus(timestamp, 1),
                EventTime.plus(EventTime.minus(watermark, latenessMillis), 1));
        prune(horizon);
    }

    /** When the history a trigger at {@code t} added can no longer be held by any trigger. */
    private long cleanupAt(long t) {
        long unheld = EventTime.plus(EventTime.plus(t, ttlMillis), latenessMillis);
        return EventTime.roundUp(unheld, cleanupGranularityMillis);
    }

    private void trigger(String entityId, long t, RoutedRecord[] due, Collector<FusionRequest> out)
            throws Exception {
        Arrays.sort(due, TRIGGER_ORDER);
        RoutedRecord[][] held = new RoutedRecord[modalities][];
        for (int m = 0; m < modalities; m++) {
            int slot = m;
            RoutedRecord[] arrived = Arrays.stream(due).filter(r -> r.slot == slot)
                    .toArray(RoutedRecord[]::new);
            RoutedRecord[] known = history.get(m);
            if (arrived.length > 0) {
                known = merge(known, arrived);
                history.put(m, known);
            }
            held[m] = known;
        }
        long oldest = EventTime.minus(t, ttlMillis);
        for (RoutedRecord r : due) {
            FusionRequest request = FusionRequest.empty(entityId, t, AlignmentPolicy.LATEST,
                    modalities, dim);
            request.triggerEventId = r.eventId;
            request.put(r.slot, r.embedding, r.gateLogit);
            List<RoutedRecord> sources = new ArrayList<>();
            sources.add(r);
            for (int m = 0; m < modalities; m++) {
                RoutedRecord h = m == r.slot ? null : newest(held[m], oldest, t);
                if (h != null) {
                    request.put(m, h.embedding, h.gateLogit);
                    sources.add(h);
                }
            }
            request.setSources(sources);
            out.collect(request);
        }
    }

    /**
     * Drops history no trigger at or after {@code horizon} can hold: records older than
     * {@code horizon - ttl}, and any record with a newer one of its modality at or before
     * {@code horizon}, which every such trigger would prefer.
     */
    private void prune(long horizon) throws Exception {
        long oldest = EventTime.minus(horizon, ttlMillis);
        for (int m = 0; m < modalities; m++) {
            RoutedRecord[] known = history.get(m);
            if (known == null) {
                continue;
            }
            int from = 0;
            for (int i = known.length - 1; i >= 0; i--) {
                if (known[i].eventTime <= horizon) {
                    from = known[i].eventTime < oldest ? i + 1 : i;
                    break;
                }
            }
            if (from == known.length) {
                history.remove(m);
            } else if (from > 0) {
                history.put(m, Arrays.copyOfRange(known, from, known.length));
            }
        }
    }

    /** The newest record with {@code oldest <= eventTime <= t}, or null. */
    private static RoutedRecord newest(RoutedRecord[] known, long oldest, long t) {
        if (known == null) {
            return null;
        }
        for (int i = known.length - 1; i >= 0; i--) {
            if (known[i].eventTime <= t) {
                return known[i].eventTime >= oldest ? known[i] : null;
            }
        }
        return null;
    }

    private static RoutedRecord[] merge(RoutedRecord[] known, RoutedRecord[] arrived) {
        RoutedRecord[] merged = known == null ? arrived.clone() : append(known, arrived);
        Arrays.sort(merged, HISTORY_ORDER);
        return merged;
    }

    private static RoutedRecord[] append(RoutedRecord[] base, RoutedRecord... more) {
        if (base == null) {
            return more.clone();
        }
        RoutedRecord[] out = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, out, base.length, more.length);
        return out;
    }
}
