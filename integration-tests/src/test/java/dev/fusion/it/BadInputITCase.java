package dev.fusion.it;

import static dev.fusion.schemas.DeadLetterReason.INVALID;
import static dev.fusion.schemas.DeadLetterReason.MALFORMED;
import static dev.fusion.schemas.DeadLetterReason.UNKNOWN_SCHEMA;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.kafka.CheckedProducer;
import dev.fusion.jobs.kafka.CommittedTopicReader;
import dev.fusion.jobs.synthetic.SyntheticDistribution;
import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.schemas.AudioFeatureEvent;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DeadLetterReason;
import dev.fusion.schemas.ImageFeatureEvent;
import dev.fusion.schemas.Modality;
import dev.fusion.schemas.TextEvent;
import dev.fusion.schemas.codec.DecodeLimits;
import dev.fusion.schemas.codec.SchemaHistory;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Bad input never stops the job and never passes silently: good records mixed with every kind of
 * bad one; each bad one becomes exactly one dead letter with its coordinates, raw bytes, precise
 * reason and message, every good one is fused, and the job finishes without a single restart.
 */
class BadInputITCase extends KafkaJobTestBase {

    /** A bad record: where it goes, its bytes, and the dead letter it must become. */
    record Bad(String key, String topic, int partition, byte[] value, DeadLetterReason reason,
            String eventId, String message) {
    }

    @Test
    void everyBadRecordBecomesOneDeadLetterAndEveryGoodOneIsFused() throws Exception {
        Scenario scenario = Scenario.generate(8, 4, 11L);
        int maxTextChars = scenario.records.stream().filter(r -> Streams.of(r) == Modality.TEXT)
                .mapToInt(r -> r.text.length()).max().orElseThrow();
        // A good record in the previous TextEvent schema version (no language field).
        ModalityRecord oldSchema = ModalityRecord.text(0, "v1-text", "entity-v1", scenario.base + 5,
                "an old schema version is still read", null, 0, 0);
        List<Bad> bad = badRecords(scenario.base, maxTextChars);
        produce(scenario, oldSchema, bad);

        FusionConfig config = config(Map.of(
                "validation.max-text-chars", String.valueOf(maxTextChars),
                "validation.min-event-time", "2020-01-01T00:00:00Z",
                "validation.max-future-skew", "1 h"));
        // Any task failure fails the job (and this test) instead of being hidden by a restart.
        Configuration noRestarts = new Configuration();
        noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "disable");
        runBounded(config, noRestarts, UnaryOperator.identity());

        Outputs out = readOutputs();
        assertThat(out.dropped()).as("dropped events").isEmpty();

        // Every good event fused once; every bad one with a readable event id dead-lettered once.
        List<String> accountable = new ArrayList<>(scenario.eventIds());
        accountable.add(oldSchema.eventId);
        bad.stream().filter(b -> b.eventId() != null).forEach(b -> accountable.add(b.eventId()));
        List<DeadLetter> withEventId =
                out.deadLetters().stream().filter(d -> d.getEventId() != null).toList();
        Accounting.assertExact(accountable, out.fused(), withEventId, out.dropped());

        // The dead letters are exactly the bad records, by coordinates, reason and event id.
        Map<String, ConsumerRecord<byte[], byte[]>> inputByKey = inputByKey();
        Map<String, Bad> expected = new HashMap<>();
        for (Bad b : bad) {
            ConsumerRecord<byte[], byte[]> in = inputByKey.get(b.key());
            assertThat(in).as("input record %s", b.key()).isNotNull();
            assertThat(in.partition()).as("partition of %s", b.key()).isEqualTo(b.partition());
            String at = coordinates(in.topic(), in.partition(), in.offset());
            assertThat(expected.put(at, b)).as("two bad records at %s", at).isNull();
        }
        Map<String, DeadLetter> actual = new HashMap<>();
        for (DeadLetter d : out.deadLetters()) {
            String at = coordinates(d.getSourceTopic(), d.getPartition(), d.getOffset());
            assertThat(actual.put(at, d)).as("two dead letters for %s", at).isNull();
        }
        assertThat(new TreeSet<>(actual.keySet())).isEqualTo(new TreeSet<>(expected.keySet()));
        for (Map.Entry<String, Bad> e : expected.entrySet()) {
            Bad b = e.getValue();
            DeadLetter d = actual.get(e.getKey());
            String what = b.key() + " at " + e.getKey();
            assertThat(d.getReason()).as("reason of %s", what).isEqualTo(b.reason());
            assertThat(d.getEventId()).as("event id of %s", what).isEqualTo(b.eventId());
            assertThat(d.getMessage()).as("message of %s", what).contains(b.message());
            assertThat(bytes(d.getKey())).as("key of %s", what)
                    .isEqualTo(b.key().getBytes(StandardCharsets.UTF_8));
            assertThat(bytes(d.getValue())).as("raw value of %s", what).isEqualTo(b.value());
        }
    }

    /** Every kind of bad record the contract names, spread over topics and partitions. */
    private List<Bad> badRecords(long eventTime, int maxTextChars) {
        SyntheticDistribution dist = SyntheticDistribution.bundled();
        int audioDim = dist.audioDim();
        float[] audio = new float[audioDim];
        float[] image = new float[dist.imageDim()];
        Arrays.fill(audio, 0.25f);
        Arrays.fill(image, 0.5f);
        float[] nan = image.clone();
        nan[3] = Float.NaN;
        float[] inf = audio.clone();
        inf[0] = Float.POSITIVE_INFINITY;
        Instant t = Instant.ofEpochMilli(eventTime);
        Instant beforeMin = Instant.parse("2019-06-01T00:00:00Z");
        Instant future = Instant.now().plus(Duration.ofHours(2));
        String text = topics.text();
        String au = topics.audio();
        String im = topics.image();
        byte[] whole = textEvent("bad-truncated", "e", t, "long enough to be cut in the middle");
        byte[] unknownFingerprint = new byte[24];
        ByteBuffer.wrap(unknownFingerprint).order(ByteOrder.LITTLE_ENDIAN)
                .put((byte) 0xC3).put((byte) 0x01).putLong(0x0123456789ABCDEFL);
        String range = " is outside the accepted range [2020-01-01T00:00:00Z, now + PT1H]"
                + " (validation.min-event-time, validation.max-future-skew)";

        List<Bad> bad = new ArrayList<>();
        bad.add(new Bad("bad-garbage", au, 0, utf8("this is not avro at all"), MALFORMED, null,
                "message starts with 74 68, not the single-object marker C3 01"));
        bad.add(new Bad("bad-null", im, 1, null, MALFORMED, null, "value is null"));
        bad.add(new Bad("bad-truncated", text, 2, Arrays.copyOf(whole, whole.length - 8), MALFORMED,
                null, "cannot decode TextEvent v2: body ends early"));
        bad.add(new Bad("bad-other-schema", text, 0, audioEvent("bad-other-schema", "e", t, audio),
                UNKNOWN_SCHEMA, null, "is not a known version of dev.fusion.schemas.TextEvent"));
        bad.add(new Bad("bad-fingerprint", im, 2, unknownFingerprint, UNKNOWN_SCHEMA, null,
                "schema fingerprint 0123456789abcdef is not a known version of"
                        + " dev.fusion.schemas.ImageFeatureEvent"));
        bad.add(new Bad("bad-length", au, 1,
                audioEvent("bad-length", "e", t, Arrays.copyOf(audio, audioDim + 1)), INVALID,
                "bad-length", "features has " + (audioDim + 1)
                        + " values, the audio routing model expects " + audioDim));
        bad.add(new Bad("bad-nan", im, 0, imageEvent("bad-nan", "e", t, nan), INVALID, "bad-nan",
                "features[3] is NaN, features must be finite"));
        bad.add(new Bad("bad-inf", au, 2, audioEvent("bad-inf", "e", t, inf), INVALID, "bad-inf",
                "features[0] is Infinity, features must be finite"));
        bad.add(new Bad("bad-empty-text", text, 1, textEvent("bad-empty-text", "e", t, ""), INVALID,
                "bad-empty-text", "text is empty or blank"));
        bad.add(new Bad("bad-blank-text", text, 2, textEvent("bad-blank-text", "e", t, " \t\n "),
                INVALID, "bad-blank-text", "text is empty or blank"));
        bad.add(new Bad("bad-long-text", text, 0,
                textEvent("bad-long-text", "e", t, "x".repeat(maxTextChars + 1)), INVALID,
                "bad-long-text", "text has " + (maxTextChars + 1)
                        + " chars, more than validation.max-text-chars=" + maxTextChars));
        bad.add(new Bad("bad-blank-event-id", text, 1, textEvent("  ", "e", t, "fine text"),
                INVALID, null, "event_id is empty or blank"));
        String longId = "bad-long-event-id-" + "x".repeat(300);
        bad.add(new Bad("bad-long-event-id", text, 0, textEvent(longId, "e", t, "fine text"),
                INVALID, longId, "event_id has " + longId.length()
                        + " chars, more than validation.max-id-chars=256"));
        bad.add(new Bad("bad-long-entity-id", im, 2,
                imageEvent("bad-long-entity-id", "e".repeat(257), t, image), INVALID,
                "bad-long-entity-id", "entity_id has 257 chars, more than validation.max-id-chars=256"));
        bad.add(new Bad("bad-blank-entity-id", au, 0,
                audioEvent("bad-blank-entity-id", " ", t, audio), INVALID, "bad-blank-entity-id",
                "entity_id is empty or blank"));
        bad.add(new Bad("bad-before-min", im, 1,
                imageEvent("bad-before-min", "e", beforeMin, image), INVALID, "bad-before-min",
                "event_time " + beforeMin + range));
        bad.add(new Bad("bad-future", text, 2,
                textEvent("bad-future", "e", future, "from the future"), INVALID, "bad-future",
                range));
        return bad;
    }

    /**
     * Produces the scenario keyed by entity, the old-schema record first, and the bad records
     * to their partitions, interleaved with the first half of the good ones. Bad records carry
     * the scenario's earliest event time (or one outside the accepted range), so none of them
     * can move a watermark past a good record.
     */
    private void produce(Scenario scenario, ModalityRecord oldSchema, List<Bad> bad)
            throws InterruptedException {
        int every = Math.max(1, scenario.records.size() / 2 / bad.size());
        try (CheckedProducer producer = new CheckedProducer(broker.bootstrapServers())) {
            producer.send(topics.text(), utf8(oldSchema.entityId), oldSchemaText(oldSchema));
            int next = 0;
            for (int i = 0; i < scenario.records.size(); i++) {
                if (i % every == 0 && next < bad.size()) {
                    Bad b = bad.get(next++);
                    producer.send(b.topic(), b.partition(), utf8(b.key()), b.value());
                }
                ModalityRecord r = scenario.records.get(i);
                producer.send(Scenario.topic(topics, Streams.of(r)), utf8(r.entityId),
                        Scenario.encode(r));
            }
            assertThat(next).as("bad records produced").isEqualTo(bad.size());
            producer.flush();
        }
    }

    /** The input records, by key, of the keys that occur once (the bad records' keys). */
    private Map<String, ConsumerRecord<byte[], byte[]>> inputByKey() {
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        for (String topic : List.of(topics.text(), topics.audio(), topics.image())) {
            all.addAll(CommittedTopicReader.readRaw(broker.bootstrapServers(), topic,
                    Duration.ofSeconds(30)));
        }
        Map<String, List<ConsumerRecord<byte[], byte[]>>> byKey = all.stream()
                .collect(Collectors.groupingBy(r -> new String(r.key(), StandardCharsets.UTF_8)));
        Map<String, ConsumerRecord<byte[], byte[]>> unique = new HashMap<>();
        byKey.forEach((k, rs) -> {
            if (rs.size() == 1) {
                unique.put(k, rs.get(0));
            }
        });
        return unique;
    }

    private static byte[] oldSchemaText(ModalityRecord r) {
        Schema v1 = SchemaHistory.historyOf(TextEvent.getClassSchema().getFullName()).get(0);
        assertThat(v1.getField("language")).as("TextEvent v1 has no language field").isNull();
        GenericRecord record = new GenericData.Record(v1);
        record.put("event_id", r.eventId);
        record.put("entity_id", r.entityId);
        record.put("event_time", r.eventTime);
        record.put("text", r.text);
        return SingleObjectCodec.forGeneric(v1, List.of(), DecodeLimits.DEFAULT).encode(record);
    }

    private static byte[] textEvent(String eventId, String entityId, Instant t, String text) {
        return SingleObjectCodec.forSpecific(TextEvent.class).encode(TextEvent.newBuilder()
                .setEventId(eventId).setEntityId(entityId).setEventTime(t).setText(text).build());
    }

    private static byte[] audioEvent(String eventId, String entityId, Instant t, float[] v) {
        return SingleObjectCodec.forSpecific(AudioFeatureEvent.class).encode(
                AudioFeatureEvent.newBuilder().setEventId(eventId).setEntityId(entityId)
                        .setEventTime(t).setFeatures(Scenario.boxed(v)).build());
    }

    private static byte[] imageEvent(String eventId, String entityId, Instant t, float[] v) {
        return SingleObjectCodec.forSpecific(ImageFeatureEvent.class).encode(
                ImageFeatureEvent.newBuilder().setEventId(eventId).setEntityId(entityId)
                        .setEventTime(t).setFeatures(Scenario.boxed(v)).build());
    }

    private static String coordinates(String topic, int partition, long offset) {
        return topic + "/" + partition + "@" + offset;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
