package dev.fusion.schemas.codec;

import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.io.Encoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Avro's writer for generated records, except that a float array held as a
 * {@link FloatArrayList} is written straight from its {@code float[]}: the same encoder calls,
 * hence the same bytes, without boxing every value on the way (docs/PERFORMANCE.md). Any other
 * list is written by Avro as usual.
 *
 * @param <T> the generated record class
 */
final class UnboxingDatumWriter<T> extends SpecificDatumWriter<T> {

    UnboxingDatumWriter(Schema schema, SpecificData data) {
        super(schema, data);
    }

    @Override
    protected void writeArray(Schema schema, Object datum, Encoder out) throws IOException {
        Schema items = schema.getElementType();
        if (datum instanceof FloatArrayList list && items.getType() == Schema.Type.FLOAT
                && items.getLogicalType() == null) {
            float[] values = list.floats();
            out.writeArrayStart();
            out.setItemCount(values.length);
            for (float v : values) {
                out.startItem();
                out.writeFloat(v);
            }
            out.writeArrayEnd();
            return;
        }
        super.writeArray(schema, datum, out);
    }
}
