package dev.fusion.models.manifest;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The three modalities, in the fixed order of the integration tensors' modality axis. */
public enum Modality {
    TEXT("text"),
    AUDIO("audio"),
    IMAGE("image");

    /** Size of the modality axis of the integration model's inputs. */
    public static final int COUNT = 3;

    private final String id;

    Modality(String id) {
        this.id = id;
    }

    /** The lower-case name used in the manifest, configuration and Avro records. */
    public String id() {
        return id;
    }

    /** Position on the integration model's modality axis. */
    public int index() {
        return ordinal();
    }

    /** Parses a manifest id; throws {@link IllegalArgumentException} listing the valid ids. */
    public static Modality fromId(String id) {
        for (Modality modality : values()) {
            if (modality.id.equals(id)) {
                return modality;
            }
        }
        throw new IllegalArgumentException(
                "unknown modality '" + id + "'; valid values: " + validIds());
    }

    static String validIds() {
        return Arrays.stream(values()).map(Modality::id).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return id;
    }
}
