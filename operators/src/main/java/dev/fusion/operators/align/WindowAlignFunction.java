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
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.util.Collector;

/**
 * Window policy: fuses everything an entity sent within one tumbling event-time window, once the
 * watermark has passed the window's end plus the allowed lateness; later records are dropped LATE.
 *
 * <p>Windows are aligned to the epoch: {@code [t - floorMod(t, W), ... + W)}. The fusion's event
 * time and record timestamp are the window's last millisecond, as with Flink's own windows.
 * Several records of one modality are pooled by {@link ModalityPool}.
 */
public class WindowAlignFunction extends AlignFunction {

    private static final long serialVersionUID = 1L;

    private final long windowMillis;
    private final long latenessMillis;
    private final int dim;
    private final int maxSourceIdBytes;

    // One entry per entity and window, so that a timer reads only its own window. With one list
    // per entity, each timer scanned and rewrote every later window too: when a backlog is
    // replayed, a cheap input (text) runs many windows ahead of an expensive one (images), and
    // that scan made alignment quadratic (docs/PERFORMANCE.md). A window holds a few records per
    // entity, so copying its array on append is cheap on any state backend.
    private transient MapState<Long, RoutedRecord[]> pending;

    /** A window function without a size budget for its fused records. */
    public WindowAlignFunction(AlignmentOptions options, int modalities, int dim) {
        this(options, modalities, dim, Integer.MAX_VALUE);
    }

    /**
     * @param maxSourceIdBytes the most bytes the event ids of one window may take in its fused
     *     record (see {@link #sourceIdBytes}), so that the record fits the fused sink's
     *     {@code max.request.size}; a record that would pass it is dropped OVERFLOW
     */
    public WindowAlignFunction(AlignmentOptions options, int modalities, int dim,
            int maxSourceIdBytes) {
        super(options, modalities);
        if (maxSourceIdBytes <= 0) {
            throw new IllegalArgumentException("the fused record's budget for event ids must be"
                    + " positive, got " + maxSourceIdBytes);
        }
        if (dim <= 0) {
            throw new IllegalArgumentException("embedding dimension must be positive, got " + dim);
        }
        this.windowMillis = options.windowMillis();
        this.latenessMillis = options.allowedLatenessMillis();
        this.dim = dim;
        this.maxSourceIdBytes = maxSourceIdBytes;
    }

    /**
     * What one event id adds to a fused record at most: its UTF-8 bytes and the longest length
     * prefix Avro can write (a 5-byte varint).
     */
    public static int sourceIdBytes(String eventId) {
        int bytes = 5;
        for (int i = 0; i < eventId.length(); i++) {
            char c = eventId.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }

    static MapStateDescriptor<Long, RoutedRecord[]> pendingDescriptor() {
        return new MapStateDescriptor<>("align-window-pending-by-window", AlignStateTypes.TIMESTAMP,
                AlignStateTypes.RECORDS);
    }

    @Override
    public void open(OpenContext openContext) {
        pending = getRuntimeContext().getMapState(pendingDescriptor());
    }

    @Override
    public void processElement(RoutedRecord record, Context ctx, Collector<FusionRequest> out)
            throws Exception {
        long start = windowStart(record.eventTime);
        long deadline = deadline(start);
        long watermark = watermark(ctx.timerService());
        if (deadline <= watermark) {
            countLate(record);
            ctx.output(SideOutputs.DROPPED, DroppedEvents.of(record, DropReason.LATE,
                    lateMessage(record.eventTime, start, watermark)));
            return;
        }
        RoutedRecord[] window = pending.get(start);
        int held = window == null ? 0 : sourceIdBytes(window);
        if (held + sourceIdBytes(record.eventId) > maxSourceIdBytes) {
            countOverflow(record);
            ctx.output(SideOutputs.DROPPED, DroppedEvents.of(record, DropReason.OVERFLOW,
                    "the window [" + EventTime.format(start) + ", "
                            + EventTime.format(EventTime.plus(start, windowMillis)) + ") of this"
                            + " entity already holds " + (window == null ? 0 : window.length)
                            + " records, whose event"
                            + " ids take " + held + " of the " + maxSourceIdBytes + " bytes a fused"
                            + " record can carry within the fused sink's max.request.size"));
            return;
        }
        pending.put(start, append(window, record));
        if (window == null) {
            // A window's timer exists exactly while its entry does: register it with the entry.
            ctx.timerService().registerEventTimeTimer(deadline);
        }
    }

    @Override
    long dueAt(long eventTime) {
        return deadline(windowStart(eventTime));
    }

    @Override
    long lateAt(long eventTime) {
        return deadline(windowStart(eventTime));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FusionRequest> out)
            throws Exception {
        for (long start : windowsDueAt(timestamp)) {
            RoutedRecord[] due = pending.get(start);
            if (due == null) {
                continue;
            }
            pending.remove(start);
            long maxTimestamp = maxTimestamp(start);
            // Timers fire at the end of the lateness, but the fusion belongs to the window itself.
            if (out instanceof TimestampedCollector<FusionRequest> timestamped) {
                timestamped.setAbsoluteTimestamp(maxTimestamp);
            }
            out.collect(fuse(ctx.getCurrentKey(), start, maxTimestamp, Arrays.asList(due)));
        }
    }

    /**
     * The windows whose deadline is {@code timestamp}: the one window that the deadline arithmetic
     * inverts to (buffered or not: the caller's read tells, one state access instead of two), or,
     * where it saturated at the ends of the time line, those a scan of the entity's windows finds.
     */
    private List<Long> windowsDueAt(long timestamp) throws Exception {
        long start = EventTime.minus(EventTime.minus(timestamp, latenessMillis), windowMillis - 1);
        boolean saturated = timestamp == Long.MAX_VALUE || timestamp == Long.MIN_VALUE;
        if (!saturated && start == windowStart(start) && deadline(start) == timestamp) {
            return List.of(start);
        }
        List<Long> due = new ArrayList<>();
        for (Long candidate : pending.keys()) {
            if (deadline(candidate) == timestamp) {
                due.add(candidate);
            }
        }
        return due;
    }

    private static int sourceIdBytes(RoutedRecord[] window) {
        int bytes = 0;
        for (RoutedRecord r : window) {
            bytes += sourceIdBytes(r.eventId);
        }
        return bytes;
    }

    private static RoutedRecord[] append(RoutedRecord[] window, RoutedRecord record) {
        if (window == null) {
            return new RoutedRecord[] {record};
        }
        RoutedRecord[] out = Arrays.copyOf(window, window.length + 1);
        out[window.length] = record;
        return out;
    }

    private FusionRequest fuse(String entityId, long start, long maxTimestamp,
            List<RoutedRecord> records) {
        FusionRequest request =
                FusionRequest.empty(entityId, maxTimestamp, AlignmentPolicy.WINDOW, modalities, dim);
        request.windowStart = start;
        Map<Integer, List<RoutedRecord>> bySlot = new TreeMap<>();
        for (RoutedRecord r : records) {
            bySlot.computeIfAbsent(r.slot, m -> new ArrayList<>()).add(r);
        }
        bySlot.forEach((m, rs) -> {
            ModalityPool pool = ModalityPool.of(rs);
            request.put(m, pool.embedding(), pool.gateLogit());
        });
        request.setSources(records.stream()
                .sorted(Comparator.comparing((RoutedRecord r) -> r.eventId)).toList());
        return request;
    }

    private long windowStart(long eventTime) {
        return eventTime - Math.floorMod(eventTime, windowMillis);
    }

    private long maxTimestamp(long start) {
        return EventTime.plus(start, windowMillis - 1);
    }

    private long deadline(long start) {
        return EventTime.plus(maxTimestamp(start), latenessMillis);
    }

    private String lateMessage(long eventTime, long start, long watermark) {
        long end = EventTime.plus(start, windowMillis);
        return "event time " + EventTime.format(eventTime) + " is late for window ["
                + EventTime.format(start) + ", " + EventTime.format(end) + "): "
                + lateFor(watermark) + ", allowed lateness " + latenessMillis + " ms";
    }
}
