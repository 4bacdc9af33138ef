package dev.fusion.schemas.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.Modality;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.junit.jupiter.api.Test;

/**
 * FusedEvent v2 names the integration slots and the present streams: a v1 reader still reads v2
 * records of any stream set (the names it cannot know are simply not in its fields), and v1
 * records read with empty names.
 */
class FusedEventEvolutionTest {

    private final Schema v1 = SchemaHistory.historyOf(FusedEvent.getClassSchema().getFullName())
            .get(0);

    @Test
    void aVersion1ReaderReadsAFusionOfFiveStreams() throws CodecException {
        FusedEvent five = FusedEvent.newBuilder(SampleRecords.fused())
                .setWeights(List.of(0.4f, 0f, 0.3f, 0.2f, 0.1f))
                .setModalities(List.of(Modality.TEXT, Modality.IMAGE))
                .setStreamNames(List.of("text", "audio", "image", "depth", "imu"))
                .setPresentStreams(List.of("text", "image", "depth", "imu"))
                .build();
        byte[] bytes = SingleObjectCodec.forSpecific(FusedEvent.class).encode(five);

        GenericRecord old = SingleObjectCodec.forGeneric(v1, List.of(FusedEvent.getClassSchema()),
                DecodeLimits.DEFAULT).decode(bytes);

        assertThat(old.getSchema()).isEqualTo(v1);
        assertThat(old.get("weights")).hasToString("[0.4, 0.0, 0.3, 0.2, 0.1]");
        assertThat(old.get("modalities")).hasToString("[TEXT, IMAGE]");
        assertThat(old.hasField("stream_names")).isFalse();
    }

    @Test
    void version1BytesReadWithEmptyNames() throws CodecException {
        FusedEvent current = SampleRecords.fused();
        GenericRecord old = new GenericRecordBuilder(v1)
                .set("entity_id", current.getEntityId())
                .set("event_time", current.getEventTime().toEpochMilli())
                .set("alignment", new GenericData.EnumSymbol(
                        v1.getField("alignment").schema(), "WINDOW"))
                .set("window_start", current.getWindowStart().toEpochMilli())
                .set("fused", current.getFused())
                .set("scores", current.getScores())
                .set("weights", current.getWeights())
                .set("modalities", List.of(
                        new GenericData.EnumSymbol(
                                v1.getField("modalities").schema().getElementType(), "TEXT"),
                        new GenericData.EnumSymbol(
                                v1.getField("modalities").schema().getElementType(), "AUDIO"),
                        new GenericData.EnumSymbol(
                                v1.getField("modalities").schema().getElementType(), "IMAGE")))
                .set("source_event_ids", current.getSourceEventIds())
                .set("model_version", current.getModelVersion())
                .set("emitted_at", current.getEmittedAt().toEpochMilli())
                .build();
        byte[] bytes = SingleObjectCodec.forGeneric(v1, List.of(), DecodeLimits.DEFAULT).encode(old);

        FusedEvent read = SingleObjectCodec.forSpecific(FusedEvent.class).decode(bytes);

        assertThat(read).isEqualTo(FusedEvent.newBuilder(current).setStreamNames(List.of())
                .setPresentStreams(List.of()).build());
    }

    @Test
    void theFingerprintsOfBothVersionsDiffer() {
        assertThat(SchemaHistory.versionsOf("dev.fusion.schemas.FusedEvent"))
                .containsExactly(v1, FusedEvent.getClassSchema());
        assertThat(SingleObjectCodec.fingerprint(v1))
                .isNotEqualTo(SingleObjectCodec.fingerprint(FusedEvent.getClassSchema()));
    }
}
