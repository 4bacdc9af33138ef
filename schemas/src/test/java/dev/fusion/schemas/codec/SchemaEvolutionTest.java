package dev.fusion.schemas.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.schemas.TextEvent;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/** TextEvent v1 and v2 (v2 adds the optional {@code language}) read each other's bytes. */
class SchemaEvolutionTest {

    private final Schema v1 = SchemaHistory.historyOf(TextEvent.getClassSchema().getFullName()).get(0);
    private final Schema v2 = TextEvent.getClassSchema();

    @Test
    void historyHoldsBothVersionsWithDistinctFingerprints() {
        assertThat(SchemaHistory.versionsOf("dev.fusion.schemas.TextEvent")).containsExactly(v1, v2);
        assertThat(v1.getField("language")).isNull();
        assertThat(SingleObjectCodec.fingerprint(v1)).isNotEqualTo(SingleObjectCodec.fingerprint(v2));
    }

    @Test
    void oldBytesAreReadWithTheNewSchema() throws CodecException {
        SingleObjectCodec<GenericRecord> oldWriter = SingleObjectCodec.forGeneric(v1, List.of(), DecodeLimits.DEFAULT);
        GenericRecord old = new GenericData.Record(v1);
        old.put("event_id", "t-old");
        old.put("entity_id", "user-1");
        old.put("event_time", SampleRecords.T0.toEpochMilli());
        old.put("text", "written by a v1 producer");
        byte[] oldBytes = oldWriter.encode(old);

        TextEvent read = SingleObjectCodec.forSpecific(TextEvent.class).decode(oldBytes);

        assertThat(read).isEqualTo(TextEvent.newBuilder()
                .setEventId("t-old")
                .setEntityId("user-1")
                .setEventTime(SampleRecords.T0)
                .setText("written by a v1 producer")
                .setLanguage(null)
                .build());
    }

    @Test
    void newBytesAreReadWithTheOldSchema() throws CodecException {
        byte[] newBytes = SingleObjectCodec.forSpecific(TextEvent.class).encode(SampleRecords.text());
        SingleObjectCodec<GenericRecord> oldReader = SingleObjectCodec.forGeneric(v1, List.of(v2), DecodeLimits.DEFAULT);

        GenericRecord read = oldReader.decode(newBytes);

        assertThat(read.getSchema()).isEqualTo(v1);
        assertThat(read.get("event_id")).hasToString("t-1");
        assertThat(read.get("entity_id")).hasToString("user-42");
        assertThat(read.get("event_time")).isEqualTo(SampleRecords.T0.toEpochMilli());
        assertThat(read.get("text")).hasToString(SampleRecords.text().getText());
        assertThat(read.hasField("language")).isFalse();
    }

    @Test
    void anOldReaderThatDoesNotKnowTheNewVersionRejectsIt() {
        byte[] newBytes = SingleObjectCodec.forSpecific(TextEvent.class).encode(SampleRecords.text());
        SingleObjectCodec<GenericRecord> oldOnly = SingleObjectCodec.forGeneric(v1, List.of(), DecodeLimits.DEFAULT);
        SingleObjectCodecTest.assertFailure(() -> oldOnly.decode(newBytes),
                CodecException.Failure.UNKNOWN_SCHEMA, "is not a known version");
    }
}
