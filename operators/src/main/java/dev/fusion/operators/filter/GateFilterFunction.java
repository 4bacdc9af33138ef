package dev.fusion.operators.filter;

import dev.fusion.operators.health.HealthOptions;
import dev.fusion.operators.health.StreamGateMonitor;
import dev.fusion.operators.metrics.StreamMetrics;
import dev.fusion.operators.outputs.DroppedEvents;
import dev.fusion.operators.outputs.SideOutputs;
import dev.fusion.operators.records.RoutedRecord;
import dev.fusion.schemas.DropReason;
import dev.fusion.schemas.Modality;
import java.util.Locale;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Level-1 coarse filter: a record whose gate {@code sigmoid(gateLogit)} is below
 * {@code routing.min-gate} is dropped as FILTERED, sparing the level-2 model the work. Every
 * record's gate, filtered or not, also feeds its stream's mean gate and health
 * ({@link StreamGateMonitor}): this is the one operator that sees each stream's every gate.
 */
public class GateFilterFunction extends ProcessFunction<RoutedRecord, RoutedRecord> {

    public static final String MIN_GATE = "routing.min-gate";

    private final double minGate;
    private final HealthOptions health;
    /** FILTERED drops per stream (by modality ordinal), registered when a stream is first seen. */
    private transient Counter[] filtered;
    /** Mean gate and health per stream (by modality ordinal), made with its counter. */
    private transient StreamGateMonitor[] monitors;

    /** {@code minGate} in [0, 1); 0 lets every record through. */
    public GateFilterFunction(double minGate, HealthOptions health) {
        if (!(minGate >= 0 && minGate < 1)) {
            throw new IllegalArgumentException(MIN_GATE + " must be in [0, 1), got " + minGate);
        }
        this.minGate = minGate;
        this.health = health;
    }

    @Override
    public void open(OpenContext openContext) {
        filtered = new Counter[Modality.values().length];
        monitors = new StreamGateMonitor[Modality.values().length];
    }

    @Override
    public void processElement(RoutedRecord record, Context ctx, Collector<RoutedRecord> out) {
        int m = record.modality.ordinal();
        Counter counter = filtered[m];
        if (counter == null) {
            // Once per stream: a filter instance normally sees one stream, labelled with it.
            counter = StreamMetrics.of(getRuntimeContext().getMetricGroup(), record.modality)
                    .counter(StreamMetrics.DROPPED_FILTERED);
            filtered[m] = counter;
            TaskInfo task = getRuntimeContext().getTaskInfo();
            monitors[m] = new StreamGateMonitor(getRuntimeContext().getMetricGroup(),
                    StreamMetrics.name(record.modality), (task.getIndexOfThisSubtask() + 1) + "/"
                            + task.getNumberOfParallelSubtasks(), health);
        }
        double gate = record.gate();
        monitors[m].record(gate, ctx.timerService().currentProcessingTime());
        if (minGate > 0 && gate < minGate) {
            String message = String.format(Locale.ROOT, "gate %.4f below %s %.4f", gate, MIN_GATE,
                    minGate);
            counter.inc();
            ctx.output(SideOutputs.DROPPED,
                    DroppedEvents.of(record, DropReason.FILTERED, message));
            return;
        }
        out.collect(record);
    }
}
