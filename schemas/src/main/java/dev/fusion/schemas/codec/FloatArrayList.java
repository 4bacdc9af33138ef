package dev.fusion.schemas.codec;

import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * A fixed-size {@code List<Float>} view of a {@code float[]}: how the codec hands back the
 * features of a feature record, so that a reader who wants the floats takes {@link #floats()}
 * instead of unboxing them one by one. Equal to any list of the same floats.
 */
public final class FloatArrayList extends AbstractList<Float> implements RandomAccess {

    private final float[] values;

    public FloatArrayList(float[] values) {
        this.values = values;
    }

    /** The backing array itself, not a copy. */
    public float[] floats() {
        return values;
    }

    @Override
    public Float get(int index) {
        return values[index];
    }

    @Override
    public Float set(int index, Float value) {
        Float old = values[index];
        values[index] = value;
        return old;
    }

    @Override
    public int size() {
        return values.length;
    }
}
