package dev.fusion.schemas.codec;

import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.Decoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads a feature record, {@code (string event_id, string entity_id, timestamp-millis event_time,
 * array<float> features)}, written with the reader's own schema: straight from the decoder,
 * without Avro's resolving decoder and without boxing a single feature value.
 *
 * <p>Avro's reader boxes every array item into a {@code Float} and walks its resolution grammar
 * once per value, which made decoding a fifth of the job's CPU (docs/PERFORMANCE.md). This reader
 * calls the same decoder methods in the same order as Avro's, so it fails on the same inputs with
 * the same exceptions ({@code CodecFuzzTest} checks the two against each other). Other writer
 * versions still go through Avro's resolving reader.
 *
 * <p>The features come back as a {@link FloatArrayList}: take its {@code floats()} to stay
 * unboxed.
 *
 * @param <T> the generated record class
 */
final class FeatureRecordReader<T extends SpecificRecord> implements DatumReader<T> {

    private static final List<String> FIELD_NAMES =
            List.of("event_id", "entity_id", "event_time", "features");

    private final Schema schema;
    private final Schema featuresSchema;
    private final SpecificData data;

    FeatureRecordReader(Schema schema, SpecificData data) {
        if (!fits(schema)) {
            throw new IllegalArgumentException(schema.getFullName() + " is not a feature record: "
                    + schema);
        }
        this.schema = schema;
        this.featuresSchema = schema.getField("features").schema();
        this.data = data;
    }

    /** Whether {@code schema} has exactly the feature record's fields, names, types and order. */
    static boolean fits(Schema schema) {
        if (schema.getType() != Schema.Type.RECORD || schema.getFields().size() != FIELD_NAMES.size()) {
            return false;
        }
        for (int i = 0; i < FIELD_NAMES.size(); i++) {
            if (!schema.getFields().get(i).name().equals(FIELD_NAMES.get(i))) {
                return false;
            }
        }
        Schema eventId = schema.getFields().get(0).schema();
        Schema entityId = schema.getFields().get(1).schema();
        Schema eventTime = schema.getFields().get(2).schema();
        Schema features = schema.getFields().get(3).schema();
        return javaString(eventId) && javaString(entityId)
                && eventTime.getType() == Schema.Type.LONG
                && eventTime.getLogicalType() instanceof LogicalTypes.TimestampMillis
                && features.getType() == Schema.Type.ARRAY
                && features.getElementType().getType() == Schema.Type.FLOAT
                && features.getElementType().getLogicalType() == null;
    }

    private static boolean javaString(Schema s) {
        return s.getType() == Schema.Type.STRING && s.getLogicalType() == null
                && "String".equals(s.getProp("avro.java.string"));
    }

    @Override
    public void setSchema(Schema writer) {
        if (!writer.equals(schema)) {
            throw new IllegalArgumentException("a feature record reader reads only its own schema");
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public T read(T reuse, Decoder in) throws IOException {
        String eventId = in.readString();
        String entityId = in.readString();
        Instant eventTime = Instant.ofEpochMilli(in.readLong());
        float[] features = new float[(int) Math.min(in.readArrayStart(), Integer.MAX_VALUE)];
        // Blocks: as Avro, sized by the first (the decoder has checked it against the input);
        // later ones grow the array.
        int size = 0;
        for (long block = features.length; block > 0; block = in.arrayNext()) {
            if (size + block > features.length) {
                features = Arrays.copyOf(features, Math.toIntExact(size + block));
            }
            readFloats(in, features, size, (int) block);
            size += (int) block;
        }
        if (size < features.length) {
            features = Arrays.copyOf(features, size);
        }
        T record = (T) data.newRecord(reuse, schema);
        record.put(0, eventId);
        record.put(1, entityId);
        record.put(2, eventTime);
        record.put(3, new FloatArrayList(features));
        return record;
    }

    private static void readFloats(Decoder in, float[] dst, int offset, int n) throws IOException {
        if (in instanceof BoundedBinaryDecoder bounded) {
            bounded.readFloats(dst, offset, n);
        } else {
            for (int i = 0; i < n; i++) {
                dst[offset + i] = in.readFloat();
            }
        }
    }
}
