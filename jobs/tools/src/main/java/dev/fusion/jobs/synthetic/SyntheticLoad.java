package dev.fusion.jobs.synthetic;

import dev.fusion.jobs.kafka.CheckedProducer;
import dev.fusion.jobs.kafka.KafkaClientProperties;
import dev.fusion.models.manifest.Modality;
import dev.fusion.schemas.AudioFeatureEvent;
import dev.fusion.schemas.FeatureEvent;
import dev.fusion.schemas.Floats;
import dev.fusion.schemas.ImageFeatureEvent;
import dev.fusion.schemas.TextEvent;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produces synthetic multimodal events at a steady rate: entities from a fixed pool, each with a
 * latent class, every sample's present views sent to their streams' topics with event time = now.
 * Keeps the ground truth (entity to class) so that accuracy can be measured downstream, and can
 * replace one stream by noise from a given moment on.
 */
public final class SyntheticLoad implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(SyntheticLoad.class);

    /**
     * Where and how fast to produce. Event ids are {@code <runId>-<t|a|i|stream>-<n>} (t, a and i
     * for the bundled streams, the stream's name for others): the run id keeps the ids of two
     * runs apart, and within a run the sequence is fixed by the seed.
     *
     * @param topics the input topic of each stream of the distribution, in slot order
     * @param corrupt the stream to replace by noise, or null
     */
    public record Settings(String bootstrapServers, List<String> topics, int eventsPerSecond,
            int entities, long seed, String corrupt, long corruptAfterMillis, String runId) {

        public Settings {
            if (runId == null || !runId.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("run id must be letters, digits, '.', '_' or '-',"
                        + " got '" + runId + "'");
            }
            topics = List.copyOf(topics);
        }

        /** As the canonical constructor, with a new run id. */
        public Settings(String bootstrapServers, List<String> topics, int eventsPerSecond,
                int entities, long seed, String corrupt, long corruptAfterMillis) {
            this(bootstrapServers, topics, eventsPerSecond, entities, seed, corrupt,
                    corruptAfterMillis, newRunId());
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
    }

    private final Settings settings;
    private final KafkaClientProperties clients;
    private final SyntheticDistribution distribution;
    private final int[] classOf;
    /** The slot of the corrupted stream, or -1. */
    private final int corruptSlot;
    private final AtomicLongArray produced;
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
        List<Modality> streams = distribution.streams();
        if (settings.topics().size() != streams.size()) {
            throw new IllegalArgumentException(settings.topics().size() + " topics for the "
                    + streams.size() + " streams " + streams);
        }
        this.corruptSlot = slotOf(settings.corrupt(), streams);
        this.produced = new AtomicLongArray(streams.size());
        Random random = new Random(settings.seed());
        this.classOf = new int[settings.entities()];
        for (int e = 0; e < classOf.length; e++) {
            classOf[e] = distribution.sampleClass(random);
            truth.put(entityId(e), classOf[e]);
        }
    }

    /** The slot of the stream to corrupt ({@code none} or null: -1); fails naming the streams. */
    public static int slotOf(String corrupt, List<Modality> streams) {
        if (corrupt == null || corrupt.isBlank() || corrupt.equals("none")) {
            return -1;
        }
        return streams.stream().filter(m -> m.id().equals(corrupt)).findFirst()
                .map(Modality::index)
                .orElseThrow(() -> new IllegalArgumentException("the stream to corrupt must be one"
                        + " of " + streams + " or none, got '" + corrupt + "'"));
    }

    @Override
    public void run() {
        List<Modality> streams = distribution.streams();
        List<SingleObjectCodec<?>> codecs = new ArrayList<>();
        List<String> idPrefixes = new ArrayList<>();
        for (Modality stream : streams) {
            codecs.add(codec(stream));
            idPrefixes.add(settings.runId() + "-" + idLetter(stream) + "-");
        }
        Random random = new Random(settings.seed() + 1);
        startedAt = System.currentTimeMillis();
        // A sample yields fewer events than modalities (absence), so pace samples to the event rate.
        double samplesPerSecond = settings.eventsPerSecond() / distribution.eventsPerSample();
        long eventCounter = 0;
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
                boolean corrupt = corruptSlot >= 0
                        && System.currentTimeMillis() - startedAt >= settings.corruptAfterMillis();
                Instant now = Instant.now();
                byte[] key = entityId.getBytes(StandardCharsets.UTF_8);
                for (int slot = 0; slot < streams.size(); slot++) {
                    Object view = s.views()[slot];
                    if (view == null) {
                        continue;
                    }
                    if (corrupt && slot == corruptSlot) {
                        view = distribution.noise(slot, random);
                    }
                    String eventId = idPrefixes.get(slot) + eventCounter++;
                    producer.send(settings.topics().get(slot), key,
                            encode(codecs.get(slot), streams.get(slot), eventId, entityId, now, view));
                    produced.incrementAndGet(slot);
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

    /** The record type of a stream's topic: its own for the bundled streams, else the generic. */
    private static SingleObjectCodec<?> codec(Modality stream) {
        if (stream.isText()) {
            return SingleObjectCodec.forSpecific(TextEvent.class);
        }
        return switch (stream.id()) {
            case Modality.AUDIO -> SingleObjectCodec.forSpecific(AudioFeatureEvent.class);
            case Modality.IMAGE -> SingleObjectCodec.forSpecific(ImageFeatureEvent.class);
            default -> SingleObjectCodec.forSpecific(FeatureEvent.class);
        };
    }

    @SuppressWarnings("unchecked")
    private static byte[] encode(SingleObjectCodec<?> codec, Modality stream, String eventId,
            String entityId, Instant time, Object view) {
        if (stream.isText()) {
            return ((SingleObjectCodec<TextEvent>) codec).encode(TextEvent.newBuilder()
                    .setEventId(eventId).setEntityId(entityId).setEventTime(time)
                    .setText((String) view).build());
        }
        List<Float> features = Floats.asList((float[]) view);
        return switch (stream.id()) {
            case Modality.AUDIO -> ((SingleObjectCodec<AudioFeatureEvent>) codec).encode(
                    AudioFeatureEvent.newBuilder().setEventId(eventId).setEntityId(entityId)
                            .setEventTime(time).setFeatures(features).build());
            case Modality.IMAGE -> ((SingleObjectCodec<ImageFeatureEvent>) codec).encode(
                    ImageFeatureEvent.newBuilder().setEventId(eventId).setEntityId(entityId)
                            .setEventTime(time).setFeatures(features).build());
            default -> ((SingleObjectCodec<FeatureEvent>) codec).encode(FeatureEvent.newBuilder()
                    .setEventId(eventId).setEntityId(entityId).setEventTime(time)
                    .setFeatures(features).build());
        };
    }

    private static String idLetter(Modality stream) {
        return switch (stream.id()) {
            case Modality.TEXT -> "t";
            case Modality.AUDIO -> "a";
            case Modality.IMAGE -> "i";
            default -> stream.id();
        };
    }

    /** Stops producing after the current sample (the producer flushes and checks every send). */
    public void stop() {
        running = false;
    }

    /** Events produced so far per stream, in slot order. */
    public long[] produced() {
        long[] out = new long[produced.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = produced.get(i);
        }
        return out;
    }

    /** The streams produced to, in slot order. */
    public List<Modality> streams() {
        return distribution.streams();
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
        return corruptSlot >= 0 && startedAt > 0
                && System.currentTimeMillis() - startedAt >= settings.corruptAfterMillis();
    }

    /** Whether events of {@code eventTime} (this run's wall clock) were produced corrupted. */
    public boolean corruptedAt(Instant eventTime) {
        return corruptSlot >= 0 && startedAt > 0
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
