package dev.fusion.schemas;

import dev.fusion.schemas.codec.FloatArrayList;
import java.util.List;

/** Conversions between {@code float[]} and the {@code List<Float>} that Avro float arrays use. */
public final class Floats {

    private Floats() {
    }

    /**
     * A copy of {@code values} as a fixed-size list. It holds the floats unboxed, so the codec
     * writes it straight from the array ({@link FloatArrayList}).
     */
    public static List<Float> asList(float[] values) {
        return new FloatArrayList(values.clone());
    }
}
