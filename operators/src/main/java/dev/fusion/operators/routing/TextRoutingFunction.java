package dev.fusion.operators.routing;

import dev.fusion.models.inference.RoutingResult;
import dev.fusion.models.inference.TextRoutingModel;
import dev.fusion.models.runtime.RuntimeOptions;
import dev.fusion.operators.batch.BatchFunction;
import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.operators.records.RoutedRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Level-1 routing of text: tokenize and run the text routing model on a micro-batch. */
public final class TextRoutingFunction implements BatchFunction<ModalityRecord, RoutedRecord> {

    private static final long serialVersionUID = 1L;

    private final ModelLocation models;
    private final Map<String, String> inferenceOptions;
    private transient TextRoutingModel model;

    /**
     * @param inferenceOptions the {@code inference.*} options ({@link RuntimeOptions#fromMap})
     */
    public TextRoutingFunction(ModelLocation models, Map<String, String> inferenceOptions) {
        this.models = models;
        this.inferenceOptions = Map.copyOf(inferenceOptions);
    }

    @Override
    public void open() {
        model = TextRoutingModel.open(models.manifest(), RuntimeOptions.fromMap(inferenceOptions));
    }

    @Override
    public List<RoutedRecord> apply(List<ModalityRecord> batch) {
        List<String> texts = new ArrayList<>(batch.size());
        for (ModalityRecord r : batch) {
            texts.add(r.text);
        }
        RoutingResult result = model.routeTexts(texts);
        List<RoutedRecord> out = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            out.add(RoutedRecord.of(batch.get(i), result.embedding(i), result.gateLogit(i)));
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
}
