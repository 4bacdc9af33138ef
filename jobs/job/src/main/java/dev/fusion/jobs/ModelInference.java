package dev.fusion.jobs;

import dev.fusion.operators.batch.BatchFunction;
import dev.fusion.operators.integration.IntegrationFunction;
import dev.fusion.operators.records.FusionRequest;
import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.operators.records.RoutedRecord;
import dev.fusion.operators.routing.FeatureRoutingFunction;
import dev.fusion.operators.routing.TextRoutingFunction;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.models.manifest.Modality;

/** The production {@link InferenceFactory}: ONNX routing models per modality, ONNX integration. */
final class ModelInference implements InferenceFactory {

    static final ModelInference INSTANCE = new ModelInference();

    private ModelInference() {
    }

    @Override
    public BatchFunction<ModalityRecord, RoutedRecord> routing(Modality modality, Setup setup) {
        return modality.isText()
                ? new TextRoutingFunction(modality, setup.models(), setup.runtimeOptions())
                : new FeatureRoutingFunction(modality, setup.models(), setup.runtimeOptions());
    }

    @Override
    public BatchFunction<FusionRequest, FusedEvent> integration(Setup setup) {
        return new IntegrationFunction(setup.models(), setup.fusionMode(), setup.runtimeOptions(),
                setup.clock());
    }
}
