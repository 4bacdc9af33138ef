package dev.fusion.operators.integration;

import dev.fusion.models.inference.IntegrationBatch;
import dev.fusion.models.inference.IntegrationModel;
import dev.fusion.models.inference.IntegrationResult;
import dev.fusion.models.manifest.FusionMode;
import dev.fusion.models.manifest.ModelSpec;
import dev.fusion.models.runtime.RuntimeOptions;
import dev.fusion.operators.batch.BatchFunction;
import dev.fusion.operators.batch.ModelServing;
import dev.fusion.operators.records.FusionRequest;
import dev.fusion.operators.routing.ModelLocation;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.Modality;
import dev.fusion.schemas.codec.FloatArrayList;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Level-2 integration: fuses a micro-batch of aligned requests into {@link FusedEvent}s. */
public final class IntegrationFunction implements BatchFunction<FusionRequest, FusedEvent> {

    private static final long serialVersionUID = 1L;

    /** The streams FusedEvent v1's enum names; {@code modalities} holds only these. */
    private static final Map<String, Modality> LEGACY_NAMES = Map.of("text", Modality.TEXT,
            "audio", Modality.AUDIO, "image", Modality.IMAGE);

    private final ModelLocation models;
    private final FusionMode mode;
    private final RuntimeOptions runtimeOptions;
    private final Clock clock;
    private transient IntegrationModel model;
    private transient String modelVersion;
    private transient ModelServing serving;
    /** The integration slots' names, shared by every fused record (the codec only reads them). */
    private transient List<String> streamNames;

    public IntegrationFunction(ModelLocation models, FusionMode mode,
            RuntimeOptions runtimeOptions, Clock clock) {
        this.models = models;
        this.mode = mode;
        this.runtimeOptions = runtimeOptions;
        this.clock = clock;
    }

    @Override
    public Optional<ModelServing> serving() {
        return Optional.ofNullable(serving);
    }

    @Override
    public void open() {
        model = IntegrationModel.open(models.manifest(), mode, runtimeOptions);
        ModelSpec spec = model.spec();
        modelVersion = spec.name() + "@" + spec.version();
        streamNames = model.modalities().stream()
                .map(dev.fusion.models.manifest.Modality::id).toList();
        serving = new ModelServing(spec.name(), spec.version(), model.device().toString());
    }

    @Override
    public List<FusedEvent> apply(List<FusionRequest> batch) {
        IntegrationBatch input = model.newBatch(batch.size());
        for (FusionRequest r : batch) {
            float[][] embeddings = new float[r.modalities()][];
            for (int m = 0; m < embeddings.length; m++) {
                embeddings[m] = r.has(m) ? r.embedding(m) : null;
            }
            input.add(embeddings, r.gateLogits);
        }
        IntegrationResult result = model.fuse(input);
        Instant emittedAt = Instant.ofEpochMilli(clock.millis());
        List<FusedEvent> out = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            out.add(toEvent(batch.get(i), result, i, emittedAt));
        }
        return out;
    }

    @Override
    public void close() {
        if (model != null) {
            model.close();
            model = null;
        }
    }

    private FusedEvent toEvent(FusionRequest r, IntegrationResult result, int row, Instant emittedAt) {
        List<Modality> present = new ArrayList<>(3);
        List<String> presentNames = new ArrayList<>(r.modalities());
        for (int m = 0; m < r.modalities(); m++) {
            if (r.has(m)) {
                String name = streamNames.get(m);
                presentNames.add(name);
                Modality legacy = LEGACY_NAMES.get(name);
                if (legacy != null) {
                    present.add(legacy);
                }
            }
        }
        return FusedEvent.newBuilder()
                .setEntityId(r.entityId)
                .setEventTime(Instant.ofEpochMilli(r.eventTime))
                .setAlignment(r.alignment)
                .setWindowStart(r.windowStart == null ? null : Instant.ofEpochMilli(r.windowStart))
                // Copies, wrapped unboxed: the codec writes them straight from the arrays.
                .setFused(new FloatArrayList(result.fused(row)))
                .setScores(new FloatArrayList(result.scores(row)))
                .setWeights(new FloatArrayList(result.weights(row)))
                .setModalities(present)
                .setSourceEventIds(Arrays.asList(r.sourceEventIds))
                .setTriggerEventId(r.triggerEventId)
                .setModelVersion(modelVersion)
                .setEmittedAt(emittedAt)
                .setStreamNames(streamNames)
                .setPresentStreams(presentNames)
                .build();
    }
}
