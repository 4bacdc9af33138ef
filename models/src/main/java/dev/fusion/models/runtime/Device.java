package dev.fusion.models.runtime;

import java.io.Serializable;
import java.util.Locale;

/**
 * Where inference runs, as configured by {@code inference.device}: {@code auto}, {@code cpu},
 * {@code cuda} (GPU 0) or {@code cuda:N}.
 *
 * @param kind auto, CPU or CUDA
 * @param index the GPU index for CUDA; 0 otherwise
 */
public record Device(Kind kind, int index) implements Serializable {

    /** What {@link #parse(String)} accepts, for error messages. */
    public static final String VALID_VALUES = "auto, cpu, cuda, cuda:N (N = GPU index >= 0)";

    public static final Device AUTO = new Device(Kind.AUTO, 0);
    public static final Device CPU = new Device(Kind.CPU, 0);

    /** The device families. */
    public enum Kind {
        /** CUDA when its provider loads, else CPU. */
        AUTO,
        CPU,
        CUDA
    }

    public Device {
        if (kind == null) {
            throw new IllegalArgumentException("kind must not be null");
        }
        if (index < 0 || (kind != Kind.CUDA && index != 0)) {
            throw new IllegalArgumentException(
                    "device index " + index + " is invalid for " + kind);
        }
    }

    /** GPU {@code index}. */
    public static Device cuda(int index) {
        return new Device(Kind.CUDA, index);
    }

    /**
     * Parses a value of {@value RuntimeOptions#DEVICE}, case-insensitively.
     *
     * @throws IllegalArgumentException naming the key and listing the valid values
     */
    public static Device parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        switch (v) {
            case "auto":
                return AUTO;
            case "cpu":
                return CPU;
            case "cuda":
                return cuda(0);
            default:
                if (v.startsWith("cuda:")) {
                    String index = v.substring("cuda:".length());
                    if (!index.isEmpty() && index.length() <= 4 && index.chars()
                            .allMatch(c -> c >= '0' && c <= '9')) {
                        return cuda(Integer.parseInt(index));
                    }
                }
                throw new IllegalArgumentException(RuntimeOptions.DEVICE + ": invalid value '"
                        + value + "'; valid values: " + VALID_VALUES);
        }
    }

    /** The canonical configuration spelling: {@code auto}, {@code cpu} or {@code cuda:N}. */
    @Override
    public String toString() {
        return kind == Kind.CUDA ? "cuda:" + index : kind.name().toLowerCase(Locale.ROOT);
    }
}
