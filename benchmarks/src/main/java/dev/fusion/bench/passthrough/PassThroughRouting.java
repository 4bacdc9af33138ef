package dev.fusion.bench.passthrough;

import dev.fusion.operators.batch.BatchFunction;
import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.operators.records.RoutedRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * Level-1 stand-in: the embedding is the absolute value of the first D features (for text, of
 * its first D characters), the gate logit 0; what a routing model outputs, at no model cost.
 */
final class PassThroughRouting implements BatchFunction<ModalityRecord, RoutedRecord> {

    private static final long serialVersionUID = 1L;

    private final int dim;

    PassThroughRouting(int dim) {
        this.dim = dim;
    }

    @Override
    public List<RoutedRecord> apply(List<ModalityRecord> batch) {
        List<RoutedRecord> out = new ArrayList<>(batch.size());
        for (ModalityRecord r : batch) {
            out.add(RoutedRecord.of(r, embed(r), 0f));
        }
        return out;
    }

    private float[] embed(ModalityRecord r) {
        float[] embedding = new float[dim];
        if (r.features != null) {
            for (int i = 0; i < dim; i++) {
                embedding[i] = Math.abs(r.features[i % r.features.length]);
            }
        } else {
            String text = r.text;
            for (int i = 0; i < dim; i++) {
                embedding[i] = text.charAt(i % text.length()) / 128f;
            }
        }
        return embedding;
    }
}
