package dev.fusion.bench.pipeline;

import dev.fusion.jobs.kafka.CheckedProducer;
import dev.fusion.jobs.kafka.TopicAdmin;
import dev.fusion.schemas.AudioFeatureEvent;
import dev.fusion.schemas.ImageFeatureEvent;
import dev.fusion.schemas.Modality;
import dev.fusion.schemas.TextEvent;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The bounded workload: {@code samples} samples, each one text, one audio and one image event of
 * one entity at one event time, so that with window alignment every fusion is exactly three
 * routings and one integration, the unit the model-only chain is measured in.
 *
 * <p>Entities take turns: sample {@code i} is entity {@code i % entities}, in window
 * {@code i / perWindow}; with as many entities as samples per window (the default workload),
 * each window fuses each entity once, and with more (the key-space runs) a window fuses
 * {@code perWindow} distinct entities and an entity comes back every {@code entities /
 * perWindow} windows. Event times lie in the past and rise within every partition; entity
 * {@code e} goes to partition {@code e % partitions}, which makes the offsets of any prefix
 * computable.
 */
public final class Workload {

    private final String prefix;
    private final int partitions;
    private final int entities;
    private final int perWindow;
    private final long windowMillis;
    private final long samples;
    private final long startMillis;

    private Workload(String prefix, int partitions, int entities, int perWindow, long windowMillis,
            long samples, long startMillis) {
        this.prefix = prefix;
        this.partitions = partitions;
        this.entities = entities;
        this.perWindow = perWindow;
        this.windowMillis = windowMillis;
        this.samples = samples;
        this.startMillis = startMillis;
    }

    /** The topic of {@code modality} under {@code prefix}. */
    public static String topic(String prefix, Modality modality) {
        return prefix + "." + modality.name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Creates the input topics and writes the workload into them.
     *
     * @param samples samples to write (three events each); rounded up to whole windows
     * @param entities entities the samples take turns among
     * @param perWindow samples per window
     */
    public static Workload preload(String bootstrap, String prefix, long samples, int entities,
            int perWindow, int partitions, long windowMillis, long seed)
            throws InterruptedException {
        long windows = (samples + perWindow - 1) / perWindow;
        long total = windows * perWindow;
        long start = (System.currentTimeMillis() - (windows
                + 60) * windowMillis) / windowMillis * windowMillis;
        Workload w = new Workload(prefix, partitions, entities, perWindow, windowMillis, total,
                start);
        try (TopicAdmin admin = new TopicAdmin(bootstrap)) {
            Map<String, Integer> topics = new LinkedHashMap<>();
            for (Modality m : Modality.values()) {
                topics.put(topic(prefix, m), partitions);
            }
            admin.createTopics(topics, Duration.ofSeconds(30));
        }
        w.write(bootstrap, seed);
        return w;
    }

    private void write(String bootstrap, long seed) throws InterruptedException {
        SamplePool pool = SamplePool.draw(seed);
        SingleObjectCodec<TextEvent> text = SingleObjectCodec.forSpecific(TextEvent.class);
        SingleObjectCodec<AudioFeatureEvent> audio =
                SingleObjectCodec.forSpecific(AudioFeatureEvent.class);
        SingleObjectCodec<ImageFeatureEvent> image =
                SingleObjectCodec.forSpecific(ImageFeatureEvent.class);
        String textTopic = topic(prefix, Modality.TEXT);
        String audioTopic = topic(prefix, Modality.AUDIO);
        String imageTopic = topic(prefix, Modality.IMAGE);
        try (CheckedProducer producer = new CheckedProducer(bootstrap)) {
            for (long i = 0; i < samples; i++) {
                int entity = (int) (i % entities);
                int partition = entity % partitions;
                String entityId = "entity-" + entity;
                byte[] key = entityId.getBytes(StandardCharsets.UTF_8);
                Instant time = Instant.ofEpochMilli(eventTime(i));
                int s = (int) (i % pool.size());
                producer.send(textTopic, partition, key, text.encode(TextEvent.newBuilder()
                        .setEventId(eventId(Modality.TEXT, i)).setEntityId(entityId).setEventTime(time)
                        .setText(pool.text(s)).build()));
                producer.send(audioTopic, partition, key,
                        audio.encode(AudioFeatureEvent.newBuilder()
                        .setEventId(eventId(Modality.AUDIO, i)).setEntityId(entityId).setEventTime(time)
                        .setFeatures(pool.audio(s)).build()));
                producer.send(imageTopic, partition, key,
                        image.encode(ImageFeatureEvent.newBuilder()
                        .setEventId(eventId(Modality.IMAGE, i)).setEntityId(entityId).setEventTime(time)
                        .setFeatures(pool.image(s)).build()));
                if (i % 2000 == 1999) {
                    producer.flush();
                }
            }
        }
    }

    /**
     * The event id of sample {@code sample}'s event of {@code modality}: its
     * {@link #eventIdPrefix} and the sample number ({@code t-7}, {@code a-7}, {@code i-7}).
     */
    public static String eventId(Modality modality, long sample) {
        return eventIdPrefix(modality) + sample;
    }

    /** The start of every event id of {@code modality}: its initial and a dash. */
    public static String eventIdPrefix(Modality modality) {
        return Character.toLowerCase(modality.name().charAt(0)) + "-";
    }

    /** Event time of sample {@code i}: its window, spread evenly inside it. */
    private long eventTime(long i) {
        long window = i / perWindow;
        long slot = i % perWindow;
        return startMillis + window * windowMillis + slot * windowMillis / perWindow;
    }

    /** Samples written (whole windows). */
    public long samples() {
        return samples;
    }

    /** Events written: three per sample. */
    public long events() {
        return 3 * samples;
    }

    public int entities() {
        return entities;
    }

    public String prefix() {
        return prefix;
    }

    public int partitions() {
        return partitions;
    }

    /** The longest prefix of whole windows of at most {@code maxSamples} samples (one or more). */
    public long wholeWindows(long maxSamples) {
        long windows = Math.max(1, Math.min(samples, maxSamples) / perWindow);
        return windows * perWindow;
    }

    /** Samples per window. */
    public int perWindow() {
        return perWindow;
    }

    /**
     * End offset (exclusive) per partition of every input topic for the first {@code prefix}
     * samples: producing to explicit partitions without transactions leaves offsets dense.
     */
    public long[] stopOffsets(long prefixSamples) {
        long[] offsets = new long[partitions];
        long cycles = prefixSamples / entities;
        long rest = prefixSamples % entities;
        for (int e = 0; e < entities; e++) {
            offsets[e % partitions] += cycles + (e < rest ? 1 : 0);
        }
        return offsets;
    }
}
