package dev.fusion.models.inference;

import dev.fusion.models.manifest.Modality;
import java.util.Arrays;

/** Level-2 output of a batch: per row the fused embedding, modality weights and class scores. */
public final class IntegrationResult {

    private final int size;
    private final int modalities;
    private final int dim;
    private final int numClasses;
    private final float[] fused;
    private final float[] weights;
    private final float[] scores;

    IntegrationResult(int size, int modalities, int dim, int numClasses, float[] fused,
            float[] weights, float[] scores) {
        this.size = size;
        this.modalities = modalities;
        this.dim = dim;
        this.numClasses = numClasses;
        this.fused = fused;
        this.weights = weights;
        this.scores = scores;
    }

    static IntegrationResult empty(int modalities, int dim, int numClasses) {
        return new IntegrationResult(0, modalities, dim, numClasses, new float[0], new float[0],
                new float[0]);
    }

    /** Rows, in the order of the batch. */
    public int size() {
        return size;
    }

    /** D, the fused embedding length. */
    public int dim() {
        return dim;
    }

    /** K, the number of classes. */
    public int numClasses() {
        return numClasses;
    }

    /** A copy of row {@code row}'s fused embedding. */
    public float[] fused(int row) {
        return slice(fused, row, dim);
    }

    /** A copy of row {@code row}'s modality weights, indexed by {@link Modality#index()}. */
    public float[] weights(int row) {
        return slice(weights, row, modalities);
    }

    /** Row {@code row}'s weight in slot {@link Modality#index()}; 0 when it was absent. */
    public float weight(int row, int slot) {
        checkRow(row);
        return weights[row * modalities + slot];
    }

    /** A copy of row {@code row}'s class probabilities. */
    public float[] scores(int row) {
        return slice(scores, row, numClasses);
    }

    /** The most probable class of row {@code row} (the lowest index on ties). */
    public int predictedClass(int row) {
        checkRow(row);
        int start = row * numClasses;
        int best = 0;
        for (int k = 1; k < numClasses; k++) {
            if (scores[start + k] > scores[start + best]) {
                best = k;
            }
        }
        return best;
    }

    private float[] slice(float[] flat, int row, int width) {
        checkRow(row);
        return Arrays.copyOfRange(flat, row * width, (row + 1) * width);
    }

    private void checkRow(int row) {
        if (row < 0 || row >= size) {
            throw new IndexOutOfBoundsException("row " + row + " of a result of " + size);
        }
    }
}
