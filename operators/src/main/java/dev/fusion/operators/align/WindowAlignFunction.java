package dev.fusion.operators.align;

import dev.fusion.operators.outputs.DroppedEvents;
import dev.fusion.operators.outputs.SideOutputs;
import dev.fusion.operators.records.FusionRequest;
import dev.fusion.operators.records.RoutedRecord;
import dev.fusion.schemas.AlignmentPolicy;
import dev.fusion.schemas.DropReason;
import dev.fusion.schemas.Modality;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
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
public class WindowAlignFunction extends KeyedProcessFunction<String, RoutedRecord, FusionRequest> {

    private final long windowMillis;
    private final long latenessMillis;
    private final int dim;

    // One list per entity rather than one per window: appends stay O(1) on RocksDB, and an
    // entity rarely has more than one window open at a time.
    private transient ListState<RoutedRecord> pending;

    public WindowAlignFunction(AlignmentOptions options, int dim) {
        if (dim <= 0) {
            throw new IllegalArgumentException("embedding dimension must be positive, got " + dim);
        }
        this.windowMillis = options.windowMillis();
        this.latenessMillis = options.allowedLatenessMillis();
        this.dim = dim;
    }

    static ListStateDescriptor<RoutedRecord> pendingDescriptor() {
        return new ListStateDescriptor<>("align-window-pending", AlignStateTypes.RECORD);
    }

    @Override
    public void open(OpenContext openContext) {
        pending = getRuntimeContext().getListState(pendingDescriptor());
    }

    @Override
    public void processElement(RoutedRecord record, Context ctx, Collector<FusionRequest> out)
            throws Exception {
        long start = windowStart(record.eventTime);
        long deadline = deadline(start);
        long watermark = ctx.timerService().currentWatermark();
        if (deadline <= watermark) {
            ctx.output(SideOutputs.DROPPED, DroppedEvents.of(record, DropReason.LATE,
                    lateMessage(record.eventTime, start, watermark)));
            return;
        }
        pending.add(record);
        ctx.timerService().registerEventTimeTimer(deadline);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FusionRequest> out)
            throws Exception {
        List<RoutedRecord> due = new ArrayList<>();
        List<RoutedRecord> rest = new ArrayList<>();
        Iterable<RoutedRecord> all = pending.get();
        if (all != null) {
            for (RoutedRecord r : all) {
                (deadline(windowStart(r.eventTime)) == timestamp ? due : rest).add(r);
            }
        }
        if (rest.isEmpty()) {
            pending.clear();
        } else {
            pending.update(rest);
        }
        if (due.isEmpty()) {
            return;
        }
        long start = windowStart(due.get(0).eventTime);
        long maxTimestamp = maxTimestamp(start);
        // Timers fire at the end of the lateness, but the fusion belongs to the window itself.
        if (out instanceof TimestampedCollector<FusionRequest> timestamped) {
            timestamped.setAbsoluteTimestamp(maxTimestamp);
        }
        out.collect(fuse(ctx.getCurrentKey(), start, maxTimestamp, due));
    }

    private FusionRequest fuse(String entityId, long start, long maxTimestamp,
            List<RoutedRecord> records) {
        FusionRequest request =
                FusionRequest.empty(entityId, maxTimestamp, AlignmentPolicy.WINDOW, dim);
        request.windowStart = start;
        Map<Modality, List<RoutedRecord>> byModality = new EnumMap<>(Modality.class);
        for (RoutedRecord r : records) {
            byModality.computeIfAbsent(r.modality, m -> new ArrayList<>()).add(r);
        }
        byModality.forEach((m, rs) -> {
            ModalityPool pool = ModalityPool.of(rs);
            request.put(m, pool.embedding(), pool.gateLogit());
        });
        request.sourceEventIds = records.stream().map(r -> r.eventId).sorted()
                .toArray(String[]::new);
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
                + EventTime.format(start) + ", " + EventTime.format(end) + "): watermark "
                + EventTime.format(watermark) + ", allowed lateness " + latenessMillis + " ms";
    }
}
