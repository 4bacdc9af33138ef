package dev.fusion.operators.routing;

import dev.fusion.models.inference.RoutingModel;
import dev.fusion.models.inference.RoutingResult;
import dev.fusion.models.manifest.Modality;
import dev.fusion.models.runtime.RuntimeOptions;
import dev.fusion.operators.batch.ModelServing;
import dev.fusion.operators.records.ModalityRecord;
import java.util.ArrayList;
import java.util.List;

/** Level-1 routing of a feature stream's vectors with its routing model. */
public final class FeatureRoutingFunction extends RoutingFunction<RoutingModel> {

    private static final long serialVersionUID = 1L;

    private final Modality modality;

    public FeatureRoutingFunction(Modality modality, ModelLocation models,
            RuntimeOptions runtimeOptions) {
        super(models, runtimeOptions);
        if (modality.isText()) {
            throw new IllegalArgumentException("the text stream '" + modality
                    + "' is routed by TextRoutingFunction");
        }
        this.modality = modality;
    }

    @Override
    protected RoutingModel openModel() {
        return RoutingModel.open(models.manifest(), modality, runtimeOptions);
    }

    @Override
    protected ModelServing describe(RoutingModel model) {
        return new ModelServing(model.spec().name(), model.spec().version(), model.device().toString());
    }

    @Override
    protected RoutingResult route(RoutingModel model, List<ModalityRecord> batch) {
        List<float[]> features = new ArrayList<>(batch.size());
        for (ModalityRecord r : batch) {
            features.add(r.features);
        }
        return model.route(features);
    }
}
