package dev.fusion.models.inference;

import java.util.Arrays;

/** Level-1 output of a batch: per row an embedding of length {@link #dim()} and a gate logit. */
public final class RoutingResult {

    private final int size;
    private final int dim;
    private final float[] embeddings;
    private final float[] gateLogits;

    RoutingResult(int size, int dim, float[] embeddings, float[] gateLogits) {
        this.size = size;
        this.dim = dim;
        this.embeddings = embeddings;
        this.gateLogits = gateLogits;
    }

    static RoutingResult empty(int dim) {
        return new RoutingResult(0, dim, new float[0], new float[0]);
    }

    /** Rows, in the order of the input batch. */
    public int size() {
        return size;
    }

    /** D, the embedding length. */
    public int dim() {
        return dim;
    }

    /** A copy of row {@code row}'s embedding. */
    public float[] embedding(int row) {
        int start = offset(row);
        return Arrays.copyOfRange(embeddings, start, start + dim);
    }

    /** Copies row {@code row}'s embedding into {@code target} at {@code targetOffset}. */
    public void copyEmbedding(int row, float[] target, int targetOffset) {
        System.arraycopy(embeddings, offset(row), target, targetOffset, dim);
    }

    /** Row {@code row}'s gate logit {@code g}. */
    public float gateLogit(int row) {
        checkRow(row);
        return gateLogits[row];
    }

    /** {@code sigmoid(g)}, what {@code routing.min-gate} is compared with. */
    public double gate(int row) {
        return 1.0 / (1.0 + Math.exp(-gateLogit(row)));
    }

    private int offset(int row) {
        checkRow(row);
        return row * dim;
    }

    private void checkRow(int row) {
        if (row < 0 || row >= size) {
            throw new IndexOutOfBoundsException("row " + row + " of a result of " + size);
        }
    }
}
