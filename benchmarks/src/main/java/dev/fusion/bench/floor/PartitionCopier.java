package dev.fusion.bench.floor;

import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Consume-transform-produce of one input partition, exactly once: a consumer assigned that
 * partition alone reads it with {@code read_committed} from its first offset up to a stop offset;
 * every poll's records go through a {@link PassThroughTransform} and out through a transactional
 * producer of its own ({@code transactional.id}); every commit interval (the job's checkpoint
 * interval) the transaction commits together with the consumed offsets
 * ({@code sendOffsetsToTransaction}), and once more at the stop offset. Clients run on Kafka's
 * defaults otherwise, as the job's source and sink do.
 */
final class PartitionCopier implements Callable<Long> {

    private static final Duration POLL = Duration.ofMillis(100);

    private final String bootstrap;
    private final TopicPartition input;
    private final long stopOffset;
    private final String outputTopic;
    private final String transactionalId;
    private final String groupId;
    private final Duration commitInterval;
    private final PassThroughTransform transform;

    /**
     * @param stopOffset first offset not to copy
     * @param groupId the consumer group the offsets are committed for
     */
    PartitionCopier(String bootstrap, TopicPartition input, long stopOffset, String outputTopic,
            String transactionalId, String groupId, Duration commitInterval,
            PassThroughTransform transform) {
        this.bootstrap = bootstrap;
        this.input = input;
        this.stopOffset = stopOffset;
        this.outputTopic = outputTopic;
        this.transactionalId = transactionalId;
        this.groupId = groupId;
        this.commitInterval = commitInterval;
        this.transform = transform;
    }

    /** Copies the partition; returns the records copied. */
    @Override
    public Long call() throws Exception {
        SingleObjectCodec<FusedEvent> codec = SingleObjectCodec.forSpecific(FusedEvent.class);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties(),
                        new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            consumer.assign(List.of(input));
            consumer.seekToBeginning(List.of(input));
            long next = consumer.position(input);
            long copied = 0;
            long commitAt = System.nanoTime() + commitInterval.toNanos();
            producer.beginTransaction();
            while (next < stopOffset) {
                List<ConsumerRecord<byte[], byte[]>> polled = consumer.poll(POLL).records(input);
                List<ConsumerRecord<byte[], byte[]>> batch = polled.stream()
                        .filter(r -> r.offset() < stopOffset).toList();
                for (FusedEvent e : transform.apply(batch)) {
                    producer.send(new ProducerRecord<>(outputTopic,
                            e.getEntityId().getBytes(StandardCharsets.UTF_8), codec.encode(e)));
                }
                if (!batch.isEmpty()) {
                    next = batch.get(batch.size() - 1).offset() + 1;
                    copied += batch.size();
                }
                if (next >= stopOffset || System.nanoTime() >= commitAt) {
                    producer.sendOffsetsToTransaction(Map.of(input, new OffsetAndMetadata(next)),
                            consumer.groupMetadata());
                    producer.commitTransaction();
                    commitAt = System.nanoTime() + commitInterval.toNanos();
                    if (next < stopOffset) {
                        producer.beginTransaction();
                    }
                }
            }
            return copied;
        }
    }

    private Properties consumerProperties() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return props;
    }

    private Properties producerProperties() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        return props;
    }
}
