package dev.fusion.bench.pipeline;

import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.codec.CodecException;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads what a finished run committed: fused records (with their emission times) and counts. */
public final class OutputReader {

    /**
     * @param emittedAt every committed fused record's {@code emitted_at}, sorted
     * @param deadLetters committed dead letters
     * @param dropped committed dropped records
     */
    record Output(long[] emittedAt, long deadLetters, long dropped) {

        long fused() {
            return emittedAt.length;
        }
    }

    private OutputReader() {
    }

    static Output read(String bootstrap, String fusedTopic, String dlqTopic, String droppedTopic) {
        SingleObjectCodec<FusedEvent> codec = SingleObjectCodec.forSpecific(FusedEvent.class);
        long[][] emitted = {new long[1 << 16]};
        int[] n = {0};
        each(bootstrap, fusedTopic, r -> {
            FusedEvent e;
            try {
                e = codec.decode(r.value());
            } catch (CodecException ex) {
                throw new IllegalStateException(fusedTopic + "/" + r.partition() + "@" + r.offset()
                        + " is not a FusedEvent: " + ex.getMessage(), ex);
            }
            if (n[0] == emitted[0].length) {
                emitted[0] = java.util.Arrays.copyOf(emitted[0], 2 * n[0]);
            }
            emitted[0][n[0]++] = e.getEmittedAt().toEpochMilli();
        });
        long[] sorted = java.util.Arrays.copyOf(emitted[0], n[0]);
        java.util.Arrays.sort(sorted);
        long[] dlq = {0};
        each(bootstrap, dlqTopic, r -> dlq[0]++);
        long[] dropped = {0};
        each(bootstrap, droppedTopic, r -> dropped[0]++);
        return new Output(sorted, dlq[0], dropped[0]);
    }

    /** Every committed record of {@code topic}, from the beginning to the last stable offset. */
    public static void each(String bootstrap, String topic, Consumer<ConsumerRecord<byte[],
            byte[]>> action) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        Duration timeout = Duration.ofSeconds(30);
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(topic,
                            p.partition())).collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to " + end);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(action);
            }
        }
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition,
            Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
