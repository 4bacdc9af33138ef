package dev.fusion.operators.routing;

import dev.fusion.models.inference.RoutingResult;
import dev.fusion.models.inference.TextRoutingModel;
import dev.fusion.models.manifest.Modality;
import dev.fusion.models.runtime.RuntimeOptions;
import dev.fusion.operators.batch.ModelServing;
import dev.fusion.operators.records.ModalityRecord;
import java.util.ArrayList;
import java.util.List;

/** Level-1 routing of a text stream: tokenize and run its routing model on a micro-batch. */
public final class TextRoutingFunction extends RoutingFunction<TextRoutingModel> {

    private static final long serialVersionUID = 1L;

    private final Modality modality;

    public TextRoutingFunction(Modality modality, ModelLocation models,
            RuntimeOptions runtimeOptions) {
        super(models, runtimeOptions);
        if (!modality.isText()) {
            throw new IllegalArgumentException("the feature stream '" + modality
                    + "' is routed by FeatureRoutingFunction");
        }
        this.modality = modality;
    }

    @Override
    protected TextRoutingModel openModel() {
        return TextRoutingModel.open(models.manifest(), modality, runtimeOptions);
    }

    @Override
    protected ModelServing describe(TextRoutingModel model) {
        return new ModelServing(model.spec().name(), model.spec().version(), model.device().toString());
    }

    @Override
    protected RoutingResult route(TextRoutingModel model, List<ModalityRecord> batch) {
        List<String> texts = new ArrayList<>(batch.size());
        for (ModalityRecord r : batch) {
            texts.add(r.text);
        }
        return model.routeTexts(texts);
    }
}
