package dev.fusion.bench.passthrough;

import dev.fusion.operators.batch.BatchFunction;
import dev.fusion.operators.records.FusionRequest;
import dev.fusion.schemas.codec.FloatArrayList;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.Modality;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Level-2 stand-in: the fused embedding is the element-wise max of the present embeddings, the
 * weights are uniform over the present modalities, the scores uniform over the K classes. The
 * record is built field for field as the integration function builds it.
 */
final class PassThroughIntegration implements BatchFunction<FusionRequest, FusedEvent> {

    private static final long serialVersionUID = 1L;
    private static final Modality[] MODALITIES = Modality.values();
    private static final List<String> STREAM_NAMES = List.of("text", "audio", "image");
    // As long as "integration-max@1.0.0", so that fused records have the same size.
    static final String MODEL_VERSION = "passthrough-max@1.0.0";

    private final int numClasses;
    private final Clock clock;

    PassThroughIntegration(int numClasses, Clock clock) {
        this.numClasses = numClasses;
        this.clock = clock;
    }

    @Override
    public List<FusedEvent> apply(List<FusionRequest> batch) {
        Instant emittedAt = Instant.ofEpochMilli(clock.millis());
        List<FusedEvent> out = new ArrayList<>(batch.size());
        for (FusionRequest r : batch) {
            out.add(fuse(r, emittedAt));
        }
        return out;
    }

    private FusedEvent fuse(FusionRequest r, Instant emittedAt) {
        int dim = r.dim();
        float[] fused = new float[dim];
        Arrays.fill(fused, Float.NEGATIVE_INFINITY);
        float[] weights = new float[MODALITIES.length];
        List<Modality> present = new ArrayList<>(MODALITIES.length);
        for (Modality m : MODALITIES) {
            if (r.has(m.ordinal())) {
                present.add(m);
                int base = m.ordinal() * dim;
                for (int i = 0; i < dim; i++) {
                    fused[i] = Math.max(fused[i], r.embeddings[base + i]);
                }
            }
        }
        for (Modality m : present) {
            weights[m.ordinal()] = 1f / present.size();
        }
        float[] scores = new float[numClasses];
        Arrays.fill(scores, 1f / numClasses);
        return FusedEvent.newBuilder().setEntityId(r.entityId)
                .setEventTime(Instant.ofEpochMilli(r.eventTime)).setAlignment(r.alignment)
                .setWindowStart(r.windowStart == null ? null : Instant.ofEpochMilli(r.windowStart))
                .setFused(new FloatArrayList(fused)).setScores(new FloatArrayList(scores))
                .setWeights(new FloatArrayList(weights)).setModalities(present)
                .setSourceEventIds(Arrays.asList(r.sourceEventIds))
                .setTriggerEventId(r.triggerEventId).setModelVersion(MODEL_VERSION)
                .setEmittedAt(emittedAt).setStreamNames(STREAM_NAMES)
                .setPresentStreams(present.stream().map(m -> m.name().toLowerCase(Locale.ROOT))
                        .toList()).build();
    }
}
