package dev.fusion.jobs.synthetic;

import dev.fusion.jobs.kafka.CheckedProducer;
import dev.fusion.jobs.kafka.KafkaClientProperties;
import dev.fusion.schemas.AudioFeatureEvent;
import dev.fusion.schemas.Floats;
import dev.fusion.schemas.ImageFeatureEvent;
import dev.fusion.schemas.TextEvent;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produces synthetic multimodal events at a steady rate: entities from a fixed pool, each with a
 * latent class, every sample's present views sent to their topics with event time = now. Keeps
 * the ground truth (entity to class) so that accuracy can be measured downstream, and can
 * replace one modality by noise from a given moment on.
 */
public final class SyntheticLoad implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(SyntheticLoad.class);
    private static final String[] NAMES = {"text", "audio", "image"};

    /**
     * Where and how fast to produce. Event ids are {@code <runId>-<t|a|i>-<n>}: the run id keeps
     * the ids of two runs apart, and within a run the sequence is fixed by the seed.
     */
    public record Settings(String bootstrapServers, String textTopic, String audioTopic, String imageTopic,
            int eventsPerSecond, int entities, long seed, int corruptModality, long corruptAfterMillis,
            String runId) {

        public Settings {
            if (runId == null || !runId.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("run id must be letters, digits, '.', '_' or '-',"
                        + " got '" + runId + "'");
            }
        }

        /** As the canonical constructor, with a new run id. */
        public Settings(String bootstrapServers, String textTopic, String audioTopic, String imageTopic,
                int eventsPerSecond, int entities, long seed, int corruptModality, long corruptAfterMillis) {
            this(bootstrapServers, textTopic, audioTopic, imageTopic, eventsPerSecond, entities, seed,
                    corruptModality, corruptAfterMillis, newRunId());
        }

        /**
         * A run id unique across runs in practice: the start time in base 36 and eight random
         * base-36 digits.
         */
        public static String newRunId() {
            // 36^8 (about 2.8e12) values: a thousand runs in the same millisecond share an id
            // with a chance of about 2 in 10^7.
            long random = java.util.concurrent.ThreadLocalRandom.current()
                    .nextLong(2_821_109_907_456L);
            String suffix = Long.toString(random, 36);
            return Long.toString(System.currentTimeMillis(), 36) + "0".repeat(8 - suffix.length()) + suffix;
        }

        /** Modality index (0 text, 1 audio, 2 image) for a name; -1 for none. */
        public static int modalityIndex(String name) {
            if (name == null || name.isBlank() || name.equals("none")) {
                return -1;
            }
            for (int i = 0; i < NAMES.length; i++) {
                if (NAMES[i].equals(name)) {
                    return i;
                }
            }
            throw new IllegalArgumentException("modality must be text, audio, image or none, got '" + name + "'");
        }
    }

    private final Settings settings;
    private final KafkaClientProperties clients;
    private final SyntheticDistribution distribution;
    private final int[] classOf;
    private final AtomicLongArray produced = new AtomicLongArray(3);
    private final AtomicLong samples = new AtomicLong();
    private final Map<String, Integer> truth = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    private volatile long startedAt;
    private volatile Throwable failure;

    public SyntheticLoad(Settings settings, SyntheticDistribution distribution) {
        this(settings, distribution, Map.of());
    }

    /** A load whose producer also gets {@code clientProperties} ({@code kafka.properties.*}). */
    public SyntheticLoad(Settings settings, SyntheticDistribution distribution,
            Map<String, String> clientProperties) {
        this.clients = KafkaClientProperties.of(settings.bootstrapServers(), clientProperties);
        this.settings = settings;
        this.distribution = distribution;
        Random random = new Random(settings.seed());
        this.classOf = new int[settings.entities()];
        for (int e = 0; e < classOf.length; e++) {
            classOf[e] = distribution.sampleClass(random);
            truth.put(entityId(e), classOf[e]);
        }
    }

    @Override
    public void run() {
        SingleObjectCodec<TextEvent> text = SingleObjectCodec.forSpecific(TextEvent.class);
        SingleObjectCodec<AudioFeatureEvent> audio = SingleObjectCodec.forSpecific(AudioFeatureEvent.class);
        SingleObjectCodec<ImageFeatureEvent> image = SingleObjectCodec.forSpecific(ImageFeatureEvent.class);
        Random random = new Random(settings.seed() + 1);
        startedAt = System.currentTimeMillis();
        // A sample yields fewer events than modalities (absence), so pace samples to the event rate.
        double samplesPerSecond = settings.eventsPerSecond() / distribution.eventsPerSample();
        long eventCounter = 0;
        String idPrefix = settings.runId() + "-";
        try (CheckedProducer producer = new CheckedProducer(clients)) {
            long n = 0;
            while (running) {
                long due = startedAt + (long) (n * 1000.0 / samplesPerSecond);
                long wait = due - System.currentTimeMillis();
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                int entity = random.nextInt(classOf.length);
                String entityId = entityId(entity);
                SyntheticSample s = distribution.sample(classOf[entity], random);
                boolean corrupt = settings.corruptModality() >= 0
                        && System.currentTimeMillis() - startedAt >= settings.corruptAfterMillis();
                Instant now = Instant.now();
                byte[] key = entityId.getBytes(StandardCharsets.UTF_8);
                if (s.text() != null) {
                    String t = corrupt && settings.corruptModality() == 0
                            ? (String) distribution.noise(0, random) : s.text();
                    producer.send(settings.textTopic(), key, text.encode(TextEvent.newBuilder()
                            .setEventId(idPrefix + "t-" + eventCounter++).setEntityId(entityId).setEventTime(now)
                            .setText(t).build()));
                    produced.incrementAndGet(0);
                }
                if (s.audio() != null) {
                    float[] a = corrupt && settings.corruptModality() == 1
                            ? (float[]) distribution.noise(1, random) : s.audio();
                    producer.send(settings.audioTopic(), key, audio.encode(AudioFeatureEvent.newBuilder()
                            .setEventId(idPrefix + "a-" + eventCounter++).setEntityId(entityId).setEventTime(now)
                            .setFeatures(Floats.asList(a)).build()));
                    produced.incrementAndGet(1);
                }
                if (s.image() != null) {
                    float[] i = corrupt && settings.corruptModality() == 2
                            ? (float[]) distribution.noise(2, random) : s.image();
                    producer.send(settings.imageTopic(), key, image.encode(ImageFeatureEvent.newBuilder()
                            .setEventId(idPrefix + "i-" + eventCounter++).setEntityId(entityId).setEventTime(now)
                            .setFeatures(Floats.asList(i)).build()));
                    produced.incrementAndGet(2);
                }
                samples.incrementAndGet();
                n++;
                if (n % 500 == 0) {
                    producer.flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
            LOG.error("synthetic producer failed", e);
        }
    }

    /** Stops producing after the current sample (the producer flushes and checks every send). */
    public void stop() {
        running = false;
    }

    /** Events produced so far per modality (text, audio, image). */
    public long[] produced() {
        return new long[] {produced.get(0), produced.get(1), produced.get(2)};
    }

    /** Samples (entity draws) so far. */
    public long samples() {
        return samples.get();
    }

    /** Ground truth: entity id to class. */
    public Map<String, Integer> truth() {
        return truth;
    }

    /** Wall-clock start (ms), or 0 before {@link #run()}. */
    public long startedAt() {
        return startedAt;
    }

    /** Whether the corruption switch is on now. */
    public boolean corrupting() {
        return settings.corruptModality() >= 0 && startedAt > 0
                && System.currentTimeMillis() - startedAt >= settings.corruptAfterMillis();
    }

    /** Whether events of {@code eventTime} (this run's wall clock) were produced corrupted. */
    public boolean corruptedAt(Instant eventTime) {
        return settings.corruptModality() >= 0 && startedAt > 0
                && eventTime.toEpochMilli() - startedAt >= settings.corruptAfterMillis();
    }

    /** The prefix of this run's event ids. */
    public String runId() {
        return settings.runId();
    }

    /** What made the producer stop, if anything. */
    public Throwable failure() {
        return failure;
    }

    static String entityId(int e) {
        return "entity-" + e;
    }
}
