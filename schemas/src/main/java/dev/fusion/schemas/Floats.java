package dev.fusion.schemas;

import java.util.ArrayList;
import java.util.List;

/** Conversions between {@code float[]} and the {@code List<Float>} that Avro float arrays use. */
public final class Floats {

    private Floats() {
    }

    /** The values of {@code values} as a list, in order. */
    public static List<Float> boxed(float[] values) {
        List<Float> out = new ArrayList<>(values.length);
        for (float v : values) {
            out.add(v);
        }
        return out;
    }
}
