package dev.fusion.bench.pipeline;

import dev.fusion.schemas.AudioFeatureEvent;
import dev.fusion.schemas.ImageFeatureEvent;
import dev.fusion.schemas.Modality;
import dev.fusion.schemas.TextEvent;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * An open-loop load: samples (one text, one audio, one image event of a random entity) on a fixed
 * schedule, whatever the job does. Each event's time is its <em>scheduled</em> send time, so a
 * producer that falls behind adds to the measured latency instead of hiding it (no coordinated
 * omission).
 */
final class OpenLoopProducer implements Runnable {

    private final String bootstrap;
    private final String topicPrefix;
    private final double samplesPerSecond;
    private final int entities;
    private final long seed;
    private final long startMillis;
    private final long endMillis;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong maxLagNanos = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    /**
     * @param eventsPerSecond the event rate (three events per sample)
     * @param startMillis when the first sample is due (wall clock)
     * @param endMillis no sample is due at or after this
     */
    OpenLoopProducer(String bootstrap, String topicPrefix, double eventsPerSecond, int entities,
            long seed, long startMillis, long endMillis) {
        this.bootstrap = bootstrap;
        this.topicPrefix = topicPrefix;
        this.samplesPerSecond = eventsPerSecond / 3;
        this.entities = entities;
        this.seed = seed;
        this.startMillis = startMillis;
        this.endMillis = endMillis;
    }

    @Override
    public void run() {
        SamplePool pool = SamplePool.draw(seed);
        SingleObjectCodec<TextEvent> text = SingleObjectCodec.forSpecific(TextEvent.class);
        SingleObjectCodec<AudioFeatureEvent> audio =
                SingleObjectCodec.forSpecific(AudioFeatureEvent.class);
        SingleObjectCodec<ImageFeatureEvent> image =
                SingleObjectCodec.forSpecific(ImageFeatureEvent.class);
        String textTopic = Workload.topic(topicPrefix, Modality.TEXT);
        String audioTopic = Workload.topic(topicPrefix, Modality.AUDIO);
        String imageTopic = Workload.topic(topicPrefix, Modality.IMAGE);
        Random random = new Random(seed);
        // Wall-clock schedule on the monotonic clock: nanoTime does not jump.
        long originNanos = System.nanoTime()
                + (startMillis - System.currentTimeMillis()) * 1_000_000L;
        double intervalNanos = 1e9 / samplesPerSecond;
        long samples = (long) Math.ceil((endMillis - startMillis) / 1000.0 * samplesPerSecond);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (long n = 0; n < samples && failure.get() == null; n++) {
                long due = originNanos + (long) (n * intervalNanos);
                long now = System.nanoTime();
                if (due > now) {
                    LockSupport.parkNanos(due - now);
                } else {
                    maxLagNanos.accumulateAndGet(now - due, Math::max);
                }
                Instant time = Instant.ofEpochMilli(startMillis + (long) (n * intervalNanos / 1e6));
                int entity = random.nextInt(entities);
                String entityId = "entity-" + entity;
                byte[] key = entityId.getBytes(StandardCharsets.UTF_8);
                int s = (int) (n % pool.size());
                send(producer, textTopic, key, text.encode(TextEvent.newBuilder().setEventId("t-"
                        + n)
                        .setEntityId(entityId).setEventTime(time).setText(pool.text(s)).build()));
                send(producer, audioTopic, key, audio.encode(AudioFeatureEvent.newBuilder()
                        .setEventId("a-" + n).setEntityId(entityId).setEventTime(time)
                        .setFeatures(pool.audio(s)).build()));
                send(producer, imageTopic, key, image.encode(ImageFeatureEvent.newBuilder()
                        .setEventId("i-" + n).setEntityId(entityId).setEventTime(time)
                        .setFeatures(pool.image(s)).build()));
            }
            producer.flush();
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
        }
    }

    private void send(KafkaProducer<byte[], byte[]> producer, String topic, byte[] key,
            byte[] value) {
        producer.send(new ProducerRecord<>(topic, key, value), (metadata, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            } else {
                sent.incrementAndGet();
            }
        });
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        // One request in flight, as CheckedProducer explains (KAFKA-15591).
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Events acknowledged so far. */
    long sent() {
        return sent.get();
    }

    /** Longest a sample was sent after its scheduled time. */
    Duration maxLag() {
        return Duration.ofNanos(maxLagNanos.get());
    }

    /** The first send failure, if any. */
    Exception failure() {
        return failure.get();
    }
}
