package dev.fusion.models.inference;

import dev.fusion.models.manifest.Modality;
import java.util.ArrayList;
import java.util.List;

/**
 * Rows for the integration model: per row, for each of its M modalities, an embedding (null =
 * absent) and a gate logit. Holds the caller's embedding arrays without copying them; not
 * thread-safe (one per caller).
 */
public final class IntegrationBatch {

    private final int modalities;
    private final List<float[][]> embeddings;
    private final List<float[]> gates;

    /**
     * A batch for an integration model of {@code modalities} slots
     * ({@link IntegrationModel#newBatch} makes one of the model's).
     */
    public IntegrationBatch(int modalities, int expectedRows) {
        if (modalities < 1) {
            throw new IllegalArgumentException("modalities must be >= 1, got " + modalities);
        }
        this.modalities = modalities;
        this.embeddings = new ArrayList<>(expectedRows);
        this.gates = new ArrayList<>(expectedRows);
    }

    /**
     * Adds a row from arrays indexed by {@link Modality#index()}.
     *
     * @param rowEmbeddings one embedding or null (absent: its gate is then ignored) per modality
     * @param rowGates one gate logit per modality
     * @return the row's index
     */
    public int add(float[][] rowEmbeddings, float[] rowGates) {
        if (rowEmbeddings.length != modalities || rowGates.length != modalities) {
            throw new IllegalArgumentException("a row needs " + modalities
                    + " embeddings and gates but got " + rowEmbeddings.length + " and "
                    + rowGates.length);
        }
        embeddings.add(rowEmbeddings.clone());
        gates.add(rowGates.clone());
        return embeddings.size() - 1;
    }

    /** M, the modalities of each row. */
    public int modalities() {
        return modalities;
    }

    public int size() {
        return embeddings.size();
    }

    public boolean isEmpty() {
        return embeddings.isEmpty();
    }

    /** Row {@code row}'s embedding in slot {@link Modality#index()}, or null when absent. */
    public float[] embedding(int row, int slot) {
        return embeddings.get(row)[slot];
    }

    public boolean isPresent(int row, int slot) {
        return embedding(row, slot) != null;
    }

    /** Row {@code row}'s gate logit in slot {@code slot} (meaningless when absent). */
    public float gate(int row, int slot) {
        return gates.get(row)[slot];
    }

    /** Removes every row, keeping the capacity. */
    public void clear() {
        embeddings.clear();
        gates.clear();
    }
}
