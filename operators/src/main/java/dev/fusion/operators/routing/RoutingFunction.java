package dev.fusion.operators.routing;

import dev.fusion.models.inference.RoutingResult;
import dev.fusion.models.runtime.RuntimeOptions;
import dev.fusion.operators.batch.BatchFunction;
import dev.fusion.operators.batch.ModelServing;
import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.operators.records.RoutedRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Level-1 routing of one modality on a micro-batch: subclasses open their model and run it; this
 * class pairs each input with its embedding and gate, and closes the model.
 *
 * @param <M> the model type
 */
abstract class RoutingFunction<M extends AutoCloseable> implements BatchFunction<ModalityRecord, RoutedRecord> {

    private static final long serialVersionUID = 1L;

    protected final ModelLocation models;
    protected final RuntimeOptions runtimeOptions;
    private transient M model;

    /**
     * @param runtimeOptions device and thread pools, validated on the client that built the job
     */
    RoutingFunction(ModelLocation models, RuntimeOptions runtimeOptions) {
        this.models = models;
        this.runtimeOptions = runtimeOptions;
    }

    /** Opens this modality's routing model. */
    protected abstract M openModel();

    /** Which model {@code model} is and the device it runs on. */
    protected abstract ModelServing describe(M model);

    /** Runs {@code model} on the batch. */
    protected abstract RoutingResult route(M model, List<ModalityRecord> batch);

    @Override
    public final void open() {
        model = openModel();
    }

    @Override
    public final Optional<ModelServing> serving() {
        return model == null ? Optional.empty() : Optional.of(describe(model));
    }

    @Override
    public final List<RoutedRecord> apply(List<ModalityRecord> batch) {
        RoutingResult result = route(model, batch);
        List<RoutedRecord> out = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            out.add(RoutedRecord.of(batch.get(i), result.embedding(i), result.gateLogit(i)));
        }
        return out;
    }

    @Override
    public final void close() throws Exception {
        if (model != null) {
            model.close();
            model = null;
        }
    }
}
