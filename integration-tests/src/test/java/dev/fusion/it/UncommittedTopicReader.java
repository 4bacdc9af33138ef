package dev.fusion.it;

import dev.fusion.schemas.codec.CodecException;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a topic {@code read_uncommitted}, to its high watermark: committed records plus those of
 * open and aborted transactions, which a {@code read_committed} reader never sees. Comparing the
 * two shows how much output a failure made the sinks abort.
 */
final class UncommittedTopicReader {

    private UncommittedTopicReader() {
    }

    static <T extends SpecificRecord> List<T> readAll(String bootstrapServers, String topic,
            Class<T> type, Duration timeout) {
        SingleObjectCodec<T> codec = SingleObjectCodec.forSpecific(type);
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<T> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props,
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to " + end
                            + " within " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    try {
                        out.add(codec.decode(r.value()));
                    } catch (CodecException e) {
                        throw new IllegalStateException(topic + "/" + r.partition() + "@"
                                + r.offset() + " does not decode: " + e.getMessage(), e);
                    }
                }
            }
        }
        return out;
    }
}
