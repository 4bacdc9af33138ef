package dev.fusion.operators.health;

import dev.fusion.operators.metrics.StreamMetrics;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.models.manifest.Modality;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Passes fused outputs through and keeps, per stream, the mean fusion weight over the sliding
 * window ({@code meanWeight}, labelled with the stream) of the fusions the stream took part in:
 * an absent stream's weight is zero by construction and would only measure its absence.
 */
public final class FusedWeightsFunction extends ProcessFunction<FusedEvent, FusedEvent> {

    private static final long serialVersionUID = 1L;
    private final HealthOptions options;
    private final List<Modality> modalities;
    private transient SlidingMean[] weights;
    /** Per stream; written by the task thread, read by the reporter's. */
    private transient volatile double[] means;

    /** Gauges for {@code modalities}, the integration slots in order. */
    public FusedWeightsFunction(HealthOptions options, List<Modality> modalities) {
        this.options = options;
        this.modalities = List.copyOf(modalities);
    }

    @Override
    public void open(OpenContext openContext) {
        weights = new SlidingMean[modalities.size()];
        double[] initial = new double[modalities.size()];
        MetricGroup group = getRuntimeContext().getMetricGroup();
        for (Modality m : modalities) {
            int i = m.index();
            weights[i] = new SlidingMean(options.window().toMillis(), HealthOptions.BUCKETS);
            initial[i] = Double.NaN;
            StreamMetrics.of(group, m).gauge(StreamMetrics.MEAN_WEIGHT, () -> means[i]);
        }
        means = initial;
    }

    @Override
    public void processElement(FusedEvent fused, Context ctx, Collector<FusedEvent> out) {
        long now = ctx.timerService().currentProcessingTime();
        List<Float> w = fused.getWeights();
        List<String> names = fused.getStreamNames();
        for (String present : fused.getPresentStreams()) {
            int i = names.indexOf(present);
            weights[i].add(w.get(i), now);
        }
        double[] next = new double[weights.length];
        for (int i = 0; i < next.length; i++) {
            next[i] = weights[i].mean(now);
        }
        means = next;
        out.collect(fused);
    }
}
