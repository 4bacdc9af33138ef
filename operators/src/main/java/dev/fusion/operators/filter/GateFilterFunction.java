package dev.fusion.operators.filter;

import dev.fusion.operators.health.HealthOptions;
import dev.fusion.operators.health.StreamGateMonitor;
import dev.fusion.operators.metrics.StreamMetrics;
import dev.fusion.operators.outputs.DroppedEvents;
import dev.fusion.operators.outputs.SideOutputs;
import dev.fusion.operators.records.RoutedRecord;
import dev.fusion.schemas.DropReason;
import dev.fusion.models.manifest.Modality;
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

    private final Modality modality;
    private final double minGate;
    private final HealthOptions health;
    /** The stream's FILTERED drops. */
    private transient Counter filtered;
    /** The stream's mean gate and health. */
    private transient StreamGateMonitor monitor;

    /** Filters the records of {@code modality}'s stream; {@code minGate} in [0, 1), 0 keeps all. */
    public GateFilterFunction(Modality modality, double minGate, HealthOptions health) {
        if (!(minGate >= 0 && minGate < 1)) {
            throw new IllegalArgumentException(MIN_GATE + " must be in [0, 1), got " + minGate);
        }
        this.modality = modality;
        this.minGate = minGate;
        this.health = health;
    }

    @Override
    public void open(OpenContext openContext) {
        filtered = StreamMetrics.of(getRuntimeContext().getMetricGroup(), modality)
                .counter(StreamMetrics.DROPPED_FILTERED);
        TaskInfo task = getRuntimeContext().getTaskInfo();
        monitor = new StreamGateMonitor(getRuntimeContext().getMetricGroup(), modality.id(),
                (task.getIndexOfThisSubtask() + 1) + "/" + task.getNumberOfParallelSubtasks(),
                health);
    }

    @Override
    public void processElement(RoutedRecord record, Context ctx, Collector<RoutedRecord> out) {
        Counter counter = filtered;
        double gate = record.gate();
        monitor.record(gate, ctx.timerService().currentProcessingTime());
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
