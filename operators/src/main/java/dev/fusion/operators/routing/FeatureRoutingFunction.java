package dev.fusion.operators.routing;

import dev.fusion.models.inference.RoutingModel;
import dev.fusion.models.inference.RoutingResult;
import dev.fusion.models.runtime.RuntimeOptions;
import dev.fusion.operators.batch.BatchFunction;
import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.operators.records.RoutedRecord;
import dev.fusion.schemas.Modality;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Level-1 routing of audio or image features with that modality's routing model. */
public final class FeatureRoutingFunction implements BatchFunction<ModalityRecord, RoutedRecord> {

    private static final long serialVersionUID = 1L;

    private final Modality modality;
    private final ModelLocation models;
    private final Map<String, String> inferenceOptions;
    private transient RoutingModel model;

    public FeatureRoutingFunction(Modality modality, ModelLocation models,
            Map<String, String> inferenceOptions) {
        if (modality == Modality.TEXT) {
            throw new IllegalArgumentException("text is routed by TextRoutingFunction");
        }
        this.modality = modality;
        this.models = models;
        this.inferenceOptions = Map.copyOf(inferenceOptions);
    }

    @Override
    public void open() {
        model = RoutingModel.open(models.manifest(), Modalities.toModel(modality),
                RuntimeOptions.fromMap(inferenceOptions));
    }

    @Override
    public List<RoutedRecord> apply(List<ModalityRecord> batch) {
        List<float[]> features = new ArrayList<>(batch.size());
        for (ModalityRecord r : batch) {
            features.add(r.features);
        }
        RoutingResult result = model.route(features);
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
