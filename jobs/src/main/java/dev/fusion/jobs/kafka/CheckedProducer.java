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
        this(bootstrapServers, Map.of());
    }

    /**
     * A producer with {@code properties} (such as a larger {@code max.request.size}) set over its
     * own settings; the ones that keep it from losing records (acks, idempotence, one request in
     * flight) cannot be overridden.
     */
    public CheckedProducer(String bootstrapServers, Map<String, String> properties) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.putAll(properties);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
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
