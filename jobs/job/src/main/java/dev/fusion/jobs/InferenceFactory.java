package dev.fusion.jobs;

import dev.fusion.models.manifest.FusionMode;
import dev.fusion.models.manifest.ModelManifest;
import dev.fusion.models.runtime.RuntimeOptions;
import dev.fusion.operators.batch.BatchFunction;
import dev.fusion.operators.records.FusionRequest;
import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.operators.records.RoutedRecord;
import dev.fusion.operators.routing.ModelLocation;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.models.manifest.Modality;
import java.time.Clock;

/**
 * Makes the job's two inference steps, the level-1 routing of each modality and the level-2
 * integration. {@link #models()} runs the models of the manifest; a benchmark substitutes a
 * pass-through of equal output size to measure what the rest of the job costs alone.
 */
public interface InferenceFactory {

    /** The batch function that routes records of {@code modality}: one output per input. */
    BatchFunction<ModalityRecord, RoutedRecord> routing(Modality modality, Setup setup);

    /** The batch function that fuses aligned requests: one output per input. */
    BatchFunction<FusionRequest, FusedEvent> integration(Setup setup);

    /** The production inference: the routing and integration models of {@link Setup#models()}. */
    static InferenceFactory models() {
        return ModelInference.INSTANCE;
    }

    /**
     * What the job knows when it asks for its batch functions.
     *
     * @param models where the models live
     * @param manifest their validated manifest (embedding dimension, classes, model names)
     * @param fusionMode the configured fusion mode
     * @param runtimeOptions device and thread pools of the model runtime, checked on the client
     * @param clock the job's clock (for {@code emitted_at})
     */
    record Setup(ModelLocation models, ModelManifest manifest, FusionMode fusionMode,
            RuntimeOptions runtimeOptions, Clock clock) {
    }
}
