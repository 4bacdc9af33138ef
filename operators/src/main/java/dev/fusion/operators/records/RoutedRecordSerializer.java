package dev.fusion.operators.records;

import dev.fusion.schemas.Modality;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Writes a {@link RoutedRecord} field by field, for the network edge between routing and
 * alignment. Flink's POJO serializer does the same through reflection, with a null flag per field
 * and a subclass check per record; this one writes the fields directly and the embedding in one
 * block. Not for state: alignment's state keeps the POJO format ({@code AlignStateTypes}).
 *
 * <p>Format: slot (int), modality (byte, -1 for null, else its ordinal), event id, entity id
 * (Flink string format, null allowed), event time (long), source topic (string), partition (int),
 * offset (long), embedding (int length, -1 for null, then big-endian floats), gate logit (float).
 */
public final class RoutedRecordSerializer extends TypeSerializerSingleton<RoutedRecord> {

    public static final RoutedRecordSerializer INSTANCE = new RoutedRecordSerializer();

    private static final long serialVersionUID = 1L;
    private static final VarHandle FLOATS =
            MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.BIG_ENDIAN);
    private static final Modality[] MODALITIES = Modality.values();

    private RoutedRecordSerializer() {
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public RoutedRecord createInstance() {
        return new RoutedRecord();
    }

    @Override
    public RoutedRecord copy(RoutedRecord from) {
        RoutedRecord r = new RoutedRecord();
        r.slot = from.slot;
        r.modality = from.modality;
        r.eventId = from.eventId;
        r.entityId = from.entityId;
        r.eventTime = from.eventTime;
        r.sourceTopic = from.sourceTopic;
        r.partition = from.partition;
        r.offset = from.offset;
        r.embedding = from.embedding == null ? null : from.embedding.clone();
        r.gateLogit = from.gateLogit;
        return r;
    }

    @Override
    public RoutedRecord copy(RoutedRecord from, RoutedRecord reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(RoutedRecord record, DataOutputView target) throws IOException {
        target.writeInt(record.slot);
        target.writeByte(record.modality == null ? -1 : record.modality.ordinal());
        StringValue.writeString(record.eventId, target);
        StringValue.writeString(record.entityId, target);
        target.writeLong(record.eventTime);
        StringValue.writeString(record.sourceTopic, target);
        target.writeInt(record.partition);
        target.writeLong(record.offset);
        writeFloats(record.embedding, target);
        target.writeFloat(record.gateLogit);
    }

    @Override
    public RoutedRecord deserialize(DataInputView source) throws IOException {
        RoutedRecord r = new RoutedRecord();
        r.slot = source.readInt();
        byte modality = source.readByte();
        r.modality = modality < 0 ? null : MODALITIES[modality];
        r.eventId = StringValue.readString(source);
        r.entityId = StringValue.readString(source);
        r.eventTime = source.readLong();
        r.sourceTopic = StringValue.readString(source);
        r.partition = source.readInt();
        r.offset = source.readLong();
        r.embedding = readFloats(source);
        r.gateLogit = source.readFloat();
        return r;
    }

    @Override
    public RoutedRecord deserialize(RoutedRecord reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public TypeSerializerSnapshot<RoutedRecord> snapshotConfiguration() {
        return new Snapshot();
    }

    private static void writeFloats(float[] values, DataOutputView target) throws IOException {
        if (values == null) {
            target.writeInt(-1);
            return;
        }
        byte[] bytes = new byte[values.length * Float.BYTES];
        for (int i = 0; i < values.length; i++) {
            FLOATS.set(bytes, i * Float.BYTES, values[i]);
        }
        target.writeInt(values.length);
        target.write(bytes);
    }

    private static float[] readFloats(DataInputView source) throws IOException {
        int length = source.readInt();
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length * Float.BYTES];
        source.readFully(bytes);
        float[] values = new float[length];
        for (int i = 0; i < length; i++) {
            values[i] = (float) FLOATS.get(bytes, i * Float.BYTES);
        }
        return values;
    }

    /** The serializer has no configuration: every snapshot restores {@link #INSTANCE}. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<RoutedRecord> {

        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
