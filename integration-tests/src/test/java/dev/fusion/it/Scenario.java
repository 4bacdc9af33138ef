package dev.fusion.it;

import dev.fusion.jobs.kafka.CheckedProducer;
import dev.fusion.jobs.synthetic.SyntheticDistribution;
import dev.fusion.jobs.synthetic.SyntheticSample;
import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.schemas.AudioFeatureEvent;
import dev.fusion.schemas.ImageFeatureEvent;
import dev.fusion.schemas.Modality;
import dev.fusion.schemas.TextEvent;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * A seeded input scenario drawn from the synthetic distribution: entities, each with a class and
 * records of every modality spread over a few one-second windows, at distinct event times.
 */
final class Scenario {

    static final long WINDOW_MS = 1000;

    final List<ModalityRecord> records = new ArrayList<>();
    final long base;

    private Scenario(long base) {
        this.base = base;
    }

    /**
     * @param entities number of entities
     * @param windows windows per entity
     * @param seed random seed
     */
    static Scenario generate(int entities, int windows, long seed) {
        long now = System.currentTimeMillis();
        Scenario s = new Scenario(now - 600_000 - Math.floorMod(now, WINDOW_MS));
        SyntheticDistribution dist = SyntheticDistribution.bundled();
        Random random = new Random(seed);
        for (int e = 0; e < entities; e++) {
            String entity = "entity-" + e;
            int y = dist.sampleClass(random);
            int n = 0;
            for (int w = 0; w < windows; w++) {
                int samples = 1 + random.nextInt(2);
                for (int k = 0; k < samples; k++) {
                    SyntheticSample sample = dist.sample(y, random);
                    // Distinct times per entity: 10 ms apart within the window.
                    long t = s.base + w * WINDOW_MS + 10L * (3 * k) + e % 7;
                    if (sample.text() != null) {
                        s.records.add(ModalityRecord.text(0, entity + "-t" + n++, entity, t, sample.text(), null, 0, 0));
                    }
                    if (sample.audio() != null) {
                        s.records.add(ModalityRecord.features(Streams.slot(Modality.AUDIO), entity + "-a" + n++, entity,
                                t + 10, sample.audio(), null, 0, 0));
                    }
                    if (sample.image() != null) {
                        s.records.add(ModalityRecord.features(Streams.slot(Modality.IMAGE), entity + "-i" + n++, entity,
                                t + 20, sample.image(), null, 0, 0));
                    }
                }
            }
        }
        s.records.sort(Comparator.comparingLong((ModalityRecord r) -> r.eventTime).thenComparing(r -> r.eventId));
        return s;
    }

    /** Every event id of the scenario. */
    List<String> eventIds() {
        return records.stream().map(r -> r.eventId).toList();
    }

    /** Produces every record, in event-time order, to its modality's topic, keyed by entity. */
    void produce(String bootstrapServers, Topics topics) throws InterruptedException {
        try (CheckedProducer producer = new CheckedProducer(bootstrapServers)) {
            for (ModalityRecord r : records) {
                producer.send(topic(topics, Streams.of(r)), r.entityId.getBytes(StandardCharsets.UTF_8), encode(r));
            }
            producer.flush();
        }
    }

    static String topic(Topics topics, Modality m) {
        return switch (m) {
            case TEXT -> topics.text();
            case AUDIO -> topics.audio();
            case IMAGE -> topics.image();
        };
    }

    static byte[] encode(ModalityRecord r) {
        Instant t = Instant.ofEpochMilli(r.eventTime);
        return switch (Streams.of(r)) {
            case TEXT -> SingleObjectCodec.forSpecific(TextEvent.class).encode(TextEvent.newBuilder()
                    .setEventId(r.eventId).setEntityId(r.entityId).setEventTime(t).setText(r.text).build());
            case AUDIO -> SingleObjectCodec.forSpecific(AudioFeatureEvent.class).encode(
                    AudioFeatureEvent.newBuilder().setEventId(r.eventId).setEntityId(r.entityId)
                            .setEventTime(t).setFeatures(boxed(r.features)).build());
            case IMAGE -> SingleObjectCodec.forSpecific(ImageFeatureEvent.class).encode(
                    ImageFeatureEvent.newBuilder().setEventId(r.eventId).setEntityId(r.entityId)
                            .setEventTime(t).setFeatures(boxed(r.features)).build());
        };
    }

    static List<Float> boxed(float[] v) {
        List<Float> out = new ArrayList<>(v.length);
        for (float f : v) {
            out.add(f);
        }
        return out;
    }
}
