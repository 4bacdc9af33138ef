package dev.fusion.jobs.kafka;

import dev.fusion.schemas.codec.CodecException;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads everything committed in a topic so far ({@code read_committed}, from the beginning up to
 * the last stable offset) and decodes it with the contract codec.
 */
public final class CommittedTopicReader {

    private CommittedTopicReader() {
    }

    /** Every committed record of {@code topic}, decoded; fails on a record that does not decode. */
    public static <T extends SpecificRecord> List<T> readAll(String bootstrapServers, String topic,
            Class<T> type, Duration timeout) {
        return readAll(KafkaClientProperties.plain(bootstrapServers), topic, type, timeout);
    }

    /** As {@link #readAll(String, String, Class, Duration)}, with the user's client properties. */
    public static <T extends SpecificRecord> List<T> readAll(KafkaClientProperties clients,
            String topic, Class<T> type, Duration timeout) {
        SingleObjectCodec<T> codec = SingleObjectCodec.forSpecific(type);
        List<T> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : readRaw(clients, topic, timeout)) {
            try {
                out.add(codec.decode(r.value()));
            } catch (CodecException e) {
                throw new IllegalStateException(topic + "/" + r.partition() + "@" + r.offset()
                        + " does not decode as " + type.getSimpleName() + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** Every committed record of {@code topic}, raw. */
    public static List<ConsumerRecord<byte[], byte[]>> readRaw(String bootstrapServers, String topic,
            Duration timeout) {
        return readRaw(KafkaClientProperties.plain(bootstrapServers), topic, timeout);
    }

    /** Every committed record of {@code topic}, raw, read with the user's client properties. */
    public static List<ConsumerRecord<byte[], byte[]>> readRaw(KafkaClientProperties clients,
            String topic, Duration timeout) {
        Properties props = clients.properties();
        KafkaClientProperties.override(props, ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed", "only committed output is read");
        // Assigned partitions and no group: auto-commit would have nowhere to commit.
        KafkaClientProperties.override(props, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                "the reader has no consumer group");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end offsets "
                            + end + " within " + timeout);
                }
                consumer.poll(Duration.ofMillis(100)).forEach(out::add);
            }
        }
        return out;
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
