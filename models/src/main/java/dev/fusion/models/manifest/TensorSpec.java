package dev.fusion.models.manifest;

import java.util.Arrays;
import java.util.Objects;

/** One declared model input or output: name, element type and shape ({@code -1} = dynamic). */
public final class TensorSpec {

    /** A dynamic axis in a shape. */
    public static final long DYNAMIC = -1;

    private final String name;
    private final DataType dataType;
    private final long[] shape;

    public TensorSpec(String name, DataType dataType, long... shape) {
        this.name = Objects.requireNonNull(name, "name");
        this.dataType = Objects.requireNonNull(dataType, "dataType");
        this.shape = shape.clone();
    }

    public String name() {
        return name;
    }

    public DataType dataType() {
        return dataType;
    }

    /** A copy of the shape; {@link #DYNAMIC} marks a dynamic axis. */
    public long[] shape() {
        return shape.clone();
    }

    /** The size of axis {@code axis}, or {@link #DYNAMIC}. */
    public long dim(int axis) {
        return shape[axis];
    }

    public int rank() {
        return shape.length;
    }

    /** The shape as the manifest writes it, e.g. {@code [-1, 128]}. */
    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof TensorSpec)) {
            return false;
        }
        TensorSpec that = (TensorSpec) other;
        return name.equals(that.name) && dataType == that.dataType
                && Arrays.equals(shape, that.shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dataType, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return name + " " + dataType + " " + shapeString();
    }
}
