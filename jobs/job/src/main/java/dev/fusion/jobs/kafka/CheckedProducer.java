package dev.fusion.jobs.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * An idempotent producer that checks every send: {@link #flush()} fails if any record since the
 * last flush was not acknowledged, so no producer of ours loses a record silently.
 *
 * <p>One request in flight per connection: with more, Kafka 4.2 can append a later request to a
 * just-created partition while rejecting an earlier one, whose retries then fail with
 * OUT_OF_ORDER_SEQUENCE_NUMBER until it expires (KAFKA-15591), losing its records.
 */
public final class CheckedProducer implements AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final List<Future<RecordMetadata>> pending = new ArrayList<>();
    private long acknowledged;

    public CheckedProducer(String bootstrapServers) {
        this(KafkaClientProperties.plain(bootstrapServers), Map.of());
    }

    /** A producer with the user's client properties ({@code kafka.properties.*}). */
    public CheckedProducer(KafkaClientProperties clients) {
        this(clients, Map.of());
    }

    /**
     * A producer of an unsecured cluster with {@code properties} (such as a larger
     * {@code max.request.size}) set over its own settings.
     */
    public CheckedProducer(String bootstrapServers, Map<String, String> properties) {
        this(KafkaClientProperties.plain(bootstrapServers), properties);
    }

    /**
     * A producer with the user's client properties and then {@code properties} over its own
     * defaults; the settings that keep it from losing records (acks, idempotence, one request in
     * flight) overrule both.
     */
    public CheckedProducer(KafkaClientProperties clients, Map<String, String> properties) {
        Properties props = clients.withDefaults(Map.of(
                ProducerConfig.LINGER_MS_CONFIG, "5",
                ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024),
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"));
        props.putAll(properties);
        String why = "a checked producer loses no record";
        KafkaClientProperties.override(props, ProducerConfig.ACKS_CONFIG, "all", why);
        KafkaClientProperties.override(props, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                why);
        KafkaClientProperties.override(props,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1",
                why + ": with more in flight, Kafka 4.2 can lose records of a new partition");
        producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends one record asynchronously; its outcome is checked by the next {@link #flush()}. */
    public void send(String topic, byte[] key, byte[] value) {
        pending.add(producer.send(new ProducerRecord<>(topic, key, value)));
    }

    /** Sends to an explicit partition. */
    public void send(String topic, int partition, byte[] key, byte[] value) {
        pending.add(producer.send(new ProducerRecord<>(topic, partition, key, value)));
    }

    /** Waits for every record sent so far; throws if any failed. */
    public void flush() throws InterruptedException {
        producer.flush();
        for (Future<RecordMetadata> f : pending) {
            try {
                f.get();
                acknowledged++;
            } catch (ExecutionException e) {
                throw new IllegalStateException("a record was not acknowledged: " + e.getCause(), e.getCause());
            }
        }
        pending.clear();
    }

    /** Records acknowledged so far. */
    public long acknowledged() {
        return acknowledged;
    }

    @Override
    public void close() throws InterruptedException {
        try {
            flush();
        } finally {
            producer.close(Duration.ofSeconds(10));
        }
    }
}
