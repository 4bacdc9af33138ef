package dev.fusion.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.operators.outputs.SideOutputs;
import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.operators.records.RawRecord;
import dev.fusion.schemas.AudioFeatureEvent;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DeadLetterReason;
import dev.fusion.schemas.ImageFeatureEvent;
import dev.fusion.models.manifest.Modality;
import dev.fusion.operators.TestStreams;
import dev.fusion.schemas.TextEvent;
import dev.fusion.schemas.codec.SchemaHistory;
import dev.fusion.schemas.codec.SingleObjectCodec;
import dev.fusion.schemas.codec.DecodeLimits;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** Every kind of bad input becomes the right dead letter; good input passes; nothing throws. */
class DecodeFunctionTest {

    static final Instant NOW = Instant.parse("2026-11-23T08:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final ValidationOptions OPTIONS = new ValidationOptions(20,
            Instant.parse("2000-01-01T00:00:00Z"), Duration.ofHours(1), 12);
    /** The feature lengths of these tests: audio 4, image 6. */
    static final int AUDIO_DIM = 4;
    static final int IMAGE_DIM = 6;

    private static final SingleObjectCodec<TextEvent> TEXT = SingleObjectCodec.forSpecific(TextEvent.class);
    private static final SingleObjectCodec<AudioFeatureEvent> AUDIO =
            SingleObjectCodec.forSpecific(AudioFeatureEvent.class);
    private static final SingleObjectCodec<ImageFeatureEvent> IMAGE =
            SingleObjectCodec.forSpecific(ImageFeatureEvent.class);

    @Test
    void validTextPassesWithItsCoordinates() throws Exception {
        Result r = run(TestStreams.TEXT, TEXT.encode(text("t-1", "u-1", NOW, "hello world")));
        assertThat(r.records).containsExactly(
                ModalityRecord.text(0, "t-1", "u-1", NOW.toEpochMilli(), "hello world", "fusion.text", 2, 40));
        assertThat(r.deadLetters).isEmpty();
    }

    @Test
    void textWrittenWithTheOldSchemaVersionPasses() throws Exception {
        Schema v1 = SchemaHistory.historyOf(TextEvent.getClassSchema().getFullName()).get(0);
        GenericRecord old = new GenericData.Record(v1);
        old.put("event_id", "t-old");
        old.put("entity_id", "u-1");
        old.put("event_time", NOW.toEpochMilli());
        old.put("text", "from v1");
        byte[] bytes = SingleObjectCodec.forGeneric(v1, List.of(), DecodeLimits.DEFAULT).encode(old);
        Result r = run(TestStreams.TEXT, bytes);
        assertThat(r.records).extracting(m -> m.eventId + ":" + m.text).containsExactly("t-old:from v1");
    }

    @Test
    void validAudioAndImagePass() throws Exception {
        Result audio = run(TestStreams.AUDIO, AUDIO.encode(audio("a-1", List.of(1f, 2f, 3f, 4f))));
        assertThat(audio.records).containsExactly(ModalityRecord.features(1, "a-1", "u-1",
                NOW.toEpochMilli(), new float[] {1f, 2f, 3f, 4f}, "fusion.audio", 2, 40));
        Result image = run(TestStreams.IMAGE, IMAGE.encode(image("i-1", List.of(1f, 2f, 3f, 4f, 5f, 6f))));
        assertThat(image.records).hasSize(1);
        assertThat(image.records.get(0).features).containsExactly(1f, 2f, 3f, 4f, 5f, 6f);
    }

    @Test
    void aRecordTheTimestampAssignerDecodedIsNotDecodedAgainAndEndsTheSame() throws Exception {
        byte[] valid = AUDIO.encode(audio("a-1", List.of(1f, 2f, 3f, 4f)));
        byte[] wrongDimension = AUDIO.encode(audio("a-2", List.of(1f, 2f)));
        EventTimeAssigner assigner = new EventTimeAssigner(decoder(TestStreams.AUDIO));
        for (byte[] value : List.of(valid, wrongDimension, new byte[] {1, 2, 3})) {
            RawRecord raw = new RawRecord("fusion.audio", 2, 40, 0L,
                    "u-1".getBytes(StandardCharsets.UTF_8), value);
            assigner.extractTimestamp(raw, 5L);
            try (var h = harness(TestStreams.AUDIO)) {
                h.processElement(raw, 5L);
                List<DeadLetter> letters = new ArrayList<>();
                if (h.getSideOutput(SideOutputs.DEAD_LETTERS) != null) {
                    h.getSideOutput(SideOutputs.DEAD_LETTERS).forEach(x -> letters.add(x.getValue()));
                }
                Result decodedOnce = new Result(h.extractOutputValues(), letters);
                Result decodedHere = run(TestStreams.AUDIO, value);
                assertThat(decodedOnce.records).isEqualTo(decodedHere.records);
                assertThat(decodedOnce.deadLetters).hasSameSizeAs(decodedHere.deadLetters);
                for (int i = 0; i < decodedHere.deadLetters.size(); i++) {
                    DeadLetter a = decodedOnce.deadLetters.get(i);
                    DeadLetter b = decodedHere.deadLetters.get(i);
                    assertThat(a.getReason()).isEqualTo(b.getReason());
                    assertThat(a.getMessage()).isEqualTo(b.getMessage());
                }
            }
        }
        // Not decoded again: bytes changed after the assigner ran are not read.
        RawRecord raw = new RawRecord("fusion.audio", 2, 40, 0L, null, valid);
        assigner.extractTimestamp(raw, 5L);
        raw.value = new byte[] {1, 2, 3};
        try (var h = harness(TestStreams.AUDIO)) {
            h.processElement(raw, 5L);
            assertThat(h.extractOutputValues()).extracting(r -> r.eventId).containsExactly("a-1");
        }
    }

    @Test
    void undecodableBytesAreMalformedAndKeepTheRawRecord() throws Exception {
        byte[] garbage = "{\"json\": true}".getBytes(StandardCharsets.UTF_8);
        Result r = run(TestStreams.TEXT, garbage);
        assertThat(r.records).isEmpty();
        DeadLetter letter = r.single();
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.MALFORMED);
        assertThat(letter.getSourceTopic()).isEqualTo("fusion.text");
        assertThat(letter.getPartition()).isEqualTo(2);
        assertThat(letter.getOffset()).isEqualTo(40L);
        assertThat(letter.getKey()).isEqualTo(ByteBuffer.wrap("u-1".getBytes(StandardCharsets.UTF_8)));
        assertThat(letter.getValue()).isEqualTo(ByteBuffer.wrap(garbage));
        assertThat(letter.getMessage()).contains("not the single-object marker C3 01");
        assertThat(letter.getEventId()).isNull();
        assertThat(letter.getFailedAt()).isEqualTo(NOW);
    }

    @Test
    void nullAndTruncatedValuesAreMalformed() throws Exception {
        assertThat(run(TestStreams.TEXT, null).single().getReason()).isEqualTo(DeadLetterReason.MALFORMED);
        byte[] valid = TEXT.encode(text("t-1", "u-1", NOW, "hello"));
        DeadLetter truncated = run(TestStreams.TEXT, Arrays.copyOf(valid, valid.length - 3)).single();
        assertThat(truncated.getReason()).isEqualTo(DeadLetterReason.MALFORMED);
        assertThat(truncated.getMessage()).contains("body ends early");
    }

    @Test
    void anotherTopicsRecordIsUnknownSchema() throws Exception {
        DeadLetter letter = run(TestStreams.AUDIO, IMAGE.encode(image("i-1", List.of(1f, 2f, 3f, 4f, 5f, 6f))))
                .single();
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.UNKNOWN_SCHEMA);
        assertThat(letter.getMessage()).contains("not a known version of dev.fusion.schemas.AudioFeatureEvent");
    }

    @Test
    void wrongVectorLengthIsInvalid() throws Exception {
        assertInvalid(TestStreams.AUDIO, AUDIO.encode(audio("a-1", List.of(1f, 2f, 3f))), "a-1",
                "features has 3 values, the audio routing model expects 4");
        assertInvalid(TestStreams.IMAGE, IMAGE.encode(image("i-1", List.of(1f))), "i-1",
                "features has 1 values, the image routing model expects 6");
    }

    @Test
    void nanAndInfinityAreInvalid() throws Exception {
        assertInvalid(TestStreams.AUDIO, AUDIO.encode(audio("a-1", List.of(1f, Float.NaN, 3f, 4f))), "a-1",
                "features[1] is NaN, features must be finite");
        assertInvalid(TestStreams.IMAGE,
                IMAGE.encode(image("i-1", List.of(1f, 2f, 3f, 4f, 5f, Float.NEGATIVE_INFINITY))), "i-1",
                "features[5] is -Infinity, features must be finite");
    }

    @Test
    void emptyBlankAndOverlongTextAreInvalid() throws Exception {
        assertInvalid(TestStreams.TEXT, TEXT.encode(text("t-1", "u-1", NOW, "")), "t-1",
                "text is empty or blank");
        assertInvalid(TestStreams.TEXT, TEXT.encode(text("t-2", "u-1", NOW, " \t\n")), "t-2",
                "text is empty or blank");
        assertInvalid(TestStreams.TEXT, TEXT.encode(text("t-3", "u-1", NOW, "x".repeat(21))), "t-3",
                "text has 21 chars, more than validation.max-text-chars=20");
    }

    @Test
    void missingIdsAreInvalid() throws Exception {
        assertInvalid(TestStreams.TEXT, TEXT.encode(text("", "u-1", NOW, "hello")), null,
                "event_id is empty or blank");
        assertInvalid(TestStreams.TEXT, TEXT.encode(text("t-1", " ", NOW, "hello")), "t-1",
                "entity_id is empty or blank");
    }

    @Test
    void overlongIdsAreInvalid() throws Exception {
        String longest = "t".repeat(12);
        assertThat(run(TestStreams.TEXT, TEXT.encode(text(longest, "u".repeat(12), NOW, "hello")))
                .records).hasSize(1);
        assertInvalid(TestStreams.TEXT, TEXT.encode(text(longest + "x", "u-1", NOW, "hello")),
                longest + "x", "event_id has 13 chars, more than validation.max-id-chars=12");
        assertInvalid(TestStreams.AUDIO,
                AUDIO.encode(AudioFeatureEvent.newBuilder(audio("a-1", List.of(1f, 2f, 3f, 4f)))
                        .setEntityId("u".repeat(13)).build()),
                "a-1", "entity_id has 13 chars, more than validation.max-id-chars=12");
    }

    @Test
    void absurdTimestampsAreInvalid() throws Exception {
        assertInvalid(TestStreams.TEXT, TEXT.encode(text("t-1", "u-1", Instant.ofEpochMilli(0), "hi")), "t-1",
                "event_time 1970-01-01T00:00:00Z is outside the accepted range");
        assertInvalid(TestStreams.TEXT,
                TEXT.encode(text("t-2", "u-1", NOW.plus(Duration.ofHours(2)), "hi")), "t-2",
                "(validation.min-event-time, validation.max-future-skew)");
        // Exactly at the edge is still accepted.
        assertThat(run(TestStreams.TEXT, TEXT.encode(text("t-3", "u-1", NOW.plus(Duration.ofHours(1)), "hi")))
                .records).hasSize(1);
    }

    @Test
    void goodRecordsAroundBadOnesAllPass() throws Exception {
        var h = harness(TestStreams.AUDIO);
        h.processElement(raw(AUDIO.encode(audio("a-1", List.of(1f, 2f, 3f, 4f))), 1), 1L);
        h.processElement(raw(new byte[] {1, 2, 3}, 2), 2L);
        h.processElement(raw(AUDIO.encode(audio("a-3", List.of(1f, 2f, 3f))), 3), 3L);
        h.processElement(raw(AUDIO.encode(audio("a-4", List.of(4f, 3f, 2f, 1f))), 4), 4L);
        assertThat(h.extractOutputValues()).extracting(m -> m.eventId).containsExactly("a-1", "a-4");
        assertThat(h.getSideOutput(SideOutputs.DEAD_LETTERS)).extracting(r -> r.getValue().getOffset())
                .containsExactly(2L, 3L);
        h.close();
    }

    private static void assertInvalid(Modality modality, byte[] bytes, String eventId, String message)
            throws Exception {
        Result r = run(modality, bytes);
        assertThat(r.records).isEmpty();
        DeadLetter letter = r.single();
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.INVALID);
        assertThat(letter.getEventId()).isEqualTo(eventId);
        assertThat(letter.getMessage()).contains(message);
        assertThat(letter.getValue()).isEqualTo(ByteBuffer.wrap(bytes));
    }

    static TextEvent text(String id, String entity, Instant time, String text) {
        return TextEvent.newBuilder().setEventId(id).setEntityId(entity).setEventTime(time)
                .setText(text).build();
    }

    static AudioFeatureEvent audio(String id, List<Float> features) {
        return AudioFeatureEvent.newBuilder().setEventId(id).setEntityId("u-1").setEventTime(NOW)
                .setFeatures(features).build();
    }

    static ImageFeatureEvent image(String id, List<Float> features) {
        return ImageFeatureEvent.newBuilder().setEventId(id).setEntityId("u-1").setEventTime(NOW)
                .setFeatures(features).build();
    }

    private static RawRecord raw(byte[] value, long offset) {
        return new RawRecord("fusion.audio", 2, offset, 0L, "u-1".getBytes(StandardCharsets.UTF_8), value);
    }

    private static OneInputStreamOperatorTestHarness<RawRecord, ModalityRecord> harness(Modality m)
            throws Exception {
        return ProcessFunctionTestHarnesses.forProcessFunction(
                new DecodeFunction(decoder(m), DeadLetters.defaults(), CLOCK));
    }

    /** The decoder of a bundled stream, with this test's feature lengths. */
    static ModalityDecoder decoder(Modality m) {
        int dim = m == TestStreams.AUDIO ? AUDIO_DIM : m == TestStreams.IMAGE ? IMAGE_DIM : 0;
        return new ModalityDecoder(m, dim, OPTIONS, CLOCK);
    }

    private static Result run(Modality modality, byte[] value) throws Exception {
        String topic = "fusion." + modality.id();
        try (var h = harness(modality)) {
            h.processElement(new RawRecord(topic, 2, 40, 0L, "u-1".getBytes(StandardCharsets.UTF_8), value), 5L);
            ConcurrentLinkedQueue<StreamRecord<DeadLetter>> side = h.getSideOutput(SideOutputs.DEAD_LETTERS);
            List<DeadLetter> letters = new ArrayList<>();
            if (side != null) {
                side.forEach(s -> letters.add(s.getValue()));
            }
            return new Result(h.extractOutputValues(), letters);
        }
    }

    /** What one raw record became. */
    record Result(List<ModalityRecord> records, List<DeadLetter> deadLetters) {
        DeadLetter single() {
            assertThat(deadLetters).hasSize(1);
            assertThat(records).isEmpty();
            return deadLetters.get(0);
        }
    }
}
