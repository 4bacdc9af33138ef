package dev.fusion.schemas.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DeadLetterReason;
import dev.fusion.schemas.Sha256;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * DeadLetter v1 and v2 (v2 adds sizes, digests, truncation flags and the INFERENCE_FAILED reason):
 * dead letters already in a topic stay readable, and old readers read new ones.
 */
class DeadLetterEvolutionTest {

    private static final String NAME = DeadLetter.getClassSchema().getFullName();
    private final Schema v1 = SchemaHistory.historyOf(NAME).get(0);
    private final Schema v2 = DeadLetter.getClassSchema();

    @Test
    void historyHoldsBothVersionsWithDistinctFingerprints() {
        assertThat(SchemaHistory.versionsOf(NAME)).containsExactly(v1, v2);
        assertThat(v1.getField("value_sha256")).isNull();
        assertThat(v1.getField("reason").schema().getEnumSymbols())
                .containsExactly("MALFORMED", "UNKNOWN_SCHEMA", "INVALID");
        assertThat(SingleObjectCodec.fingerprint(v1)).isNotEqualTo(SingleObjectCodec.fingerprint(v2));
    }

    @Test
    void everyFieldOfTheNewVersionIsDocumentedAndEveryNewOneHasADefault() {
        for (Schema.Field f : v2.getFields()) {
            assertThat(f.doc()).as("doc of %s", f.name()).isNotBlank();
            if (v1.getField(f.name()) == null) {
                assertThat(f.hasDefaultValue()).as("default of new field %s", f.name()).isTrue();
            }
        }
        assertThat(v2.getField("reason").schema().getEnumDefault()).isEqualTo("INVALID");
    }

    @Test
    void oldBytesAreReadWithTheNewSchema() throws CodecException {
        GenericRecord old = new GenericData.Record(v1);
        old.put("source_topic", "fusion.audio");
        old.put("partition", 2);
        old.put("offset", 77L);
        old.put("key", ByteBuffer.wrap(utf8("user-1")));
        old.put("value", ByteBuffer.wrap(new byte[] {9, 8, 7}));
        old.put("reason", new GenericData.EnumSymbol(v1.getField("reason").schema(), "INVALID"));
        old.put("message", "written by a v1 job");
        old.put("event_id", "a-1");
        old.put("failed_at", SampleRecords.T0.toEpochMilli());
        byte[] oldBytes = SingleObjectCodec.forGeneric(v1, List.of(), DecodeLimits.DEFAULT).encode(old);

        DeadLetter read = SingleObjectCodec.forSpecific(DeadLetter.class).decode(oldBytes);

        assertThat(read).isEqualTo(DeadLetter.newBuilder()
                .setSourceTopic("fusion.audio")
                .setPartition(2)
                .setOffset(77L)
                .setKey(ByteBuffer.wrap(utf8("user-1")))
                .setValue(ByteBuffer.wrap(new byte[] {9, 8, 7}))
                .setReason(DeadLetterReason.INVALID)
                .setMessage("written by a v1 job")
                .setEventId("a-1")
                .setFailedAt(SampleRecords.T0)
                .setValueSize(null)
                .setValueSha256(null)
                .setValueTruncated(false)
                .setKeySize(null)
                .setKeySha256(null)
                .setKeyTruncated(false)
                .build());
    }

    @Test
    void newBytesAreReadWithTheOldSchema() throws CodecException {
        DeadLetter letter = SampleRecords.deadLetter();
        byte[] newBytes = SingleObjectCodec.forSpecific(DeadLetter.class).encode(letter);
        SingleObjectCodec<GenericRecord> oldReader =
                SingleObjectCodec.forGeneric(v1, List.of(v2), DecodeLimits.DEFAULT);

        GenericRecord read = oldReader.decode(newBytes);

        assertThat(read.getSchema()).isEqualTo(v1);
        assertThat(read.get("reason")).hasToString("INVALID");
        assertThat(read.get("message")).hasToString(letter.getMessage());
        assertThat(read.get("value")).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        assertThat(read.hasField("value_sha256")).isFalse();
    }

    @Test
    void aNewReasonIsReadByAReaderThatKnowsIt() throws CodecException {
        DeadLetter letter = DeadLetter.newBuilder(SampleRecords.deadLetter())
                .setReason(DeadLetterReason.INFERENCE_FAILED)
                .setValueSha256(new Sha256(new byte[32]))
                .build();
        SingleObjectCodec<DeadLetter> codec = SingleObjectCodec.forSpecific(DeadLetter.class);

        assertThat(codec.decode(codec.encode(letter))).isEqualTo(letter);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
