package dev.fusion.models.inference;

import dev.fusion.models.manifest.Modality;
import java.util.ArrayList;
import java.util.List;

/**
 * Rows for the integration model: per row, for each modality, an embedding (null = absent) and a
 * gate logit. Holds the caller's arrays without copying them; not thread-safe (one per caller).
 */
public final class IntegrationBatch {

    private final List<float[][]> embeddings;
    private final List<float[]> gates;

    public IntegrationBatch() {
        this(16);
    }

    public IntegrationBatch(int expectedRows) {
        this.embeddings = new ArrayList<>(expectedRows);
        this.gates = new ArrayList<>(expectedRows);
    }

    /**
     * Adds a row; pass null for an absent modality (its gate is then ignored).
     *
     * @return the row's index
     */
    public int add(float[] text, float textGate, float[] audio, float audioGate, float[] image,
            float imageGate) {
        return add(new float[][] {text, audio, image},
                new float[] {textGate, audioGate, imageGate});
    }

    /**
     * Adds a row from arrays indexed by {@link Modality#index()}.
     *
     * @param rowEmbeddings one embedding or null per modality
     * @param rowGates one gate logit per modality
     * @return the row's index
     */
    public int add(float[][] rowEmbeddings, float[] rowGates) {
        if (rowEmbeddings.length != Modality.COUNT || rowGates.length != Modality.COUNT) {
            throw new IllegalArgumentException("a row needs " + Modality.COUNT
                    + " embeddings and gates (text, audio, image) but got "
                    + rowEmbeddings.length + " and " + rowGates.length);
        }
        embeddings.add(rowEmbeddings.clone());
        gates.add(rowGates.clone());
        return embeddings.size() - 1;
    }

    public int size() {
        return embeddings.size();
    }

    public boolean isEmpty() {
        return embeddings.isEmpty();
    }

    /** Row {@code row}'s embedding of {@code modality}, or null when it is absent. */
    public float[] embedding(int row, Modality modality) {
        return embeddings.get(row)[modality.index()];
    }

    public boolean isPresent(int row, Modality modality) {
        return embedding(row, modality) != null;
    }

    /** Row {@code row}'s gate logit of {@code modality} (meaningless when absent). */
    public float gate(int row, Modality modality) {
        return gates.get(row)[modality.index()];
    }

    /** Removes every row, keeping the capacity. */
    public void clear() {
        embeddings.clear();
        gates.clear();
    }
}
