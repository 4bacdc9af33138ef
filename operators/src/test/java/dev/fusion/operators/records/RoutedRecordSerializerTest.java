package dev.fusion.operators.records;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.schemas.Modality;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * Flink's serializer checks (copies, reuse, sequences, snapshot and restore, duplication) on
 * records with and without their optional parts, plus the exact wire format.
 */
class RoutedRecordSerializerTest extends SerializerTestBase<RoutedRecord> {

    @Override
    protected TypeSerializer<RoutedRecord> createSerializer() {
        return RoutedRecordSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<RoutedRecord> getTypeClass() {
        return RoutedRecord.class;
    }

    @Override
    protected RoutedRecord[] getTestData() {
        RoutedRecord empty = new RoutedRecord();
        RoutedRecord legacy = record(1, "a-1", "e-1", new float[] {0.5f});
        legacy.modality = Modality.AUDIO;
        RoutedRecord noEmbedding = record(2, "i-9", "e-2", null);
        RoutedRecord extremes = record(0, "t-ü-\u4e2d", "", new float[] {Float.NaN,
            Float.NEGATIVE_INFINITY, -0.0f, Float.MIN_VALUE, Float.MAX_VALUE});
        extremes.eventTime = Long.MIN_VALUE;
        extremes.offset = Long.MAX_VALUE;
        extremes.gateLogit = Float.NaN;
        return new RoutedRecord[] {record(0, "t-1", "e-1", new float[64]), legacy, noEmbedding,
            extremes, empty, record(2, "i-2", "e-3", new float[0])};
    }

    @Test
    void writesTheDocumentedFormat() throws IOException {
        RoutedRecord r = record(2, "i", "e", new float[] {1.0f, -2.5f});
        r.modality = Modality.IMAGE;
        DataOutputSerializer out = new DataOutputSerializer(64);
        RoutedRecordSerializer.INSTANCE.serialize(r, out);

        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        assertThat(in.readInt()).isEqualTo(2);
        assertThat(in.readByte()).isEqualTo((byte) Modality.IMAGE.ordinal());
        // Flink's string format: length + 1, then the characters.
        assertThat(in.readByte()).isEqualTo((byte) 2);
        assertThat(in.readByte()).isEqualTo((byte) 'i');
        assertThat(in.readByte()).isEqualTo((byte) 2);
        assertThat(in.readByte()).isEqualTo((byte) 'e');
        assertThat(in.readLong()).isEqualTo(r.eventTime);
        in.skipBytesToRead(1 + "fusion.image".length());
        assertThat(in.readInt()).isEqualTo(r.partition);
        assertThat(in.readLong()).isEqualTo(r.offset);
        assertThat(in.readInt()).isEqualTo(2);
        assertThat(in.readFloat()).isEqualTo(1.0f);
        assertThat(in.readFloat()).isEqualTo(-2.5f);
        assertThat(in.readFloat()).isEqualTo(r.gateLogit);
        assertThat(in.available()).isZero();
    }

    @Test
    void copiesTheEmbeddingRatherThanSharingIt() {
        RoutedRecord r = record(0, "t-1", "e-1", new float[] {1, 2, 3});
        RoutedRecord copy = RoutedRecordSerializer.INSTANCE.copy(r);
        r.embedding[0] = 9;
        assertThat(copy.embedding).containsExactly(1, 2, 3);
    }

    private static RoutedRecord record(int slot, String eventId, String entityId,
            float[] embedding) {
        RoutedRecord r = new RoutedRecord();
        r.slot = slot;
        r.eventId = eventId;
        r.entityId = entityId;
        r.eventTime = 1_764_000_000_000L + slot;
        r.sourceTopic = "fusion.image";
        r.partition = 1;
        r.offset = 42L + slot;
        r.embedding = embedding;
        r.gateLogit = -1.25f;
        return r;
    }
}
