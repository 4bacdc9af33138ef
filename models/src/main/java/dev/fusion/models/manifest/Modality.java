package dev.fusion.models.manifest;

import java.io.Serializable;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One input stream of a model set, as its manifest declares it: a name, a slot on the
 * integration model's modality axis (the position in the manifest's {@code modalities}), and its
 * kind, which its routing model decides (a tokenizer: text; an {@code input_dim}: features).
 *
 * @param id the name in the manifest, the configuration and the records, e.g. {@code audio}
 * @param index the slot on the integration tensors' modality axis
 * @param kind what its records carry
 */
public record Modality(String id, int index, Kind kind) implements Serializable {

    /** What a stream's records carry. */
    public enum Kind {
        /** A text, tokenized for its routing model. */
        TEXT,
        /** A feature vector of the routing model's {@code input_dim}. */
        FEATURES
    }

    /** The names of the bundled model set's streams, in its slot order. */
    public static final String TEXT = "text";
    public static final String AUDIO = "audio";
    public static final String IMAGE = "image";

    /** Lower-case letters, digits, '-' and '_', starting with a letter: safe in keys and metrics. */
    static final Pattern ID = Pattern.compile("[a-z][a-z0-9_-]{0,31}");

    public Modality {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("modality name '" + id + "' must be 1 to 32"
                    + " lower-case letters, digits, '-' or '_', starting with a letter");
        }
        if (index < 0) {
            throw new IllegalArgumentException("modality index must be >= 0, got " + index);
        }
    }

    /** Whether {@code name} is a valid modality name (the rule of {@link #ID}). */
    public static boolean isValidName(String name) {
        return ID.matcher(name).matches();
    }

    public boolean isText() {
        return kind == Kind.TEXT;
    }

    @Override
    public String toString() {
        return id;
    }
}
