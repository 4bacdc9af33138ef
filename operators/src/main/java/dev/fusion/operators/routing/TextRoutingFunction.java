package dev.fusion.operators.routing;

import dev.fusion.models.inference.RoutingResult;
import dev.fusion.models.inference.TextRoutingModel;
import dev.fusion.models.runtime.RuntimeOptions;
import dev.fusion.operators.batch.ModelServing;
import dev.fusion.operators.records.ModalityRecord;
import java.util.ArrayList;
import java.util.List;

/** Level-1 routing of text: tokenize and run the text routing model on a micro-batch. */
public final class TextRoutingFunction extends RoutingFunction<TextRoutingModel> {

    private static final long serialVersionUID = 1L;

    public TextRoutingFunction(ModelLocation models, RuntimeOptions runtimeOptions) {
        super(models, runtimeOptions);
    }

    @Override
    protected TextRoutingModel openModel() {
        return TextRoutingModel.open(models.manifest(), runtimeOptions);
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
