package dev.fusion.operators.align;

import dev.fusion.operators.records.RoutedRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Pools several records of one modality into one row: the embedding is the mean weighted by each
 * record's gate {@code sigmoid(gateLogit)}, the gate logit is the largest one.
 *
 * <p>A single record passes through bit for bit. Sums run in double, in event-id order, so the
 * result does not depend on the order in which records arrived. If every weight underflows to 0
 * (gate logits below about -745) the records are weighted equally rather than giving NaN.
 */
public final class ModalityPool {

    private static final Comparator<RoutedRecord> BY_EVENT_ID =
            Comparator.comparing(r -> r.eventId);

    private final float[] embedding;
    private final float gateLogit;

    private ModalityPool(float[] embedding, float gateLogit) {
        this.embedding = embedding;
        this.gateLogit = gateLogit;
    }

    /** Pools {@code records}, which must be non-empty and of one embedding dimension. */
    public static ModalityPool of(Collection<RoutedRecord> records) {
        if (records == null || records.isEmpty()) {
            throw new IllegalArgumentException("nothing to pool: no records");
        }
        List<RoutedRecord> sorted = new ArrayList<>(records);
        sorted.sort(BY_EVENT_ID);
        int dim = sorted.get(0).embedding.length;
        for (RoutedRecord r : sorted) {
            if (r.embedding.length != dim) {
                throw new IllegalArgumentException("cannot pool " + r.eventId + ": embedding has "
                        + r.embedding.length + " values, " + sorted.get(0).eventId + " has " + dim);
            }
        }
        if (sorted.size() == 1) {
            RoutedRecord only = sorted.get(0);
            // No copy here: embedding() hands out copies only.
            return new ModalityPool(only.embedding, only.gateLogit);
        }

        double[] weights = new double[sorted.size()];
        double weightSum = 0;
        float maxLogit = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < weights.length; i++) {
            weights[i] = sorted.get(i).gate();
            weightSum += weights[i];
            maxLogit = Math.max(maxLogit, sorted.get(i).gateLogit);
        }
        if (weightSum == 0) {
            Arrays.fill(weights, 1.0);
            weightSum = weights.length;
        }
        double[] sum = new double[dim];
        for (int i = 0; i < weights.length; i++) {
            float[] e = sorted.get(i).embedding;
            for (int j = 0; j < dim; j++) {
                sum[j] += weights[i] * e[j];
            }
        }
        float[] pooled = new float[dim];
        for (int j = 0; j < dim; j++) {
            pooled[j] = (float) (sum[j] / weightSum);
        }
        return new ModalityPool(pooled, maxLogit);
    }

    /** The pooled embedding (a copy). */
    public float[] embedding() {
        return embedding.clone();
    }

    /** The pooled gate logit. */
    public float gateLogit() {
        return gateLogit;
    }
}
