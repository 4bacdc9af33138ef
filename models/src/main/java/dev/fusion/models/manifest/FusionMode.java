package dev.fusion.models.manifest;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How the integration model combines modality embeddings; each mode is its own exported model. */
public enum FusionMode {
    /** Element-wise max over present modalities of {@code sigmoid(gate) * embedding}. */
    MAX("max"),
    /** Softmax of the present modalities' gate logits, then the weighted sum of embeddings. */
    WEIGHTED("weighted");

    private final String id;

    FusionMode(String id) {
        this.id = id;
    }

    /** The lower-case name used in the manifest and configuration. */
    public String id() {
        return id;
    }

    /** Parses a manifest or configuration id; throws listing the valid ids. */
    public static FusionMode fromId(String id) {
        for (FusionMode mode : values()) {
            if (mode.id.equals(id)) {
                return mode;
            }
        }
        throw new IllegalArgumentException(
                "unknown fusion mode '" + id + "'; valid values: " + validIds());
    }

    static String validIds() {
        return Arrays.stream(values()).map(FusionMode::id).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return id;
    }
}
