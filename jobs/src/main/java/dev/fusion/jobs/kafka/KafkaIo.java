package dev.fusion.jobs.kafka;

import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import dev.fusion.operators.decode.DeadLetters;
import dev.fusion.operators.records.RawRecord;
import dev.fusion.schemas.DeadLetter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;

/** Builds the job's Kafka sources and exactly-once sinks from the configuration. */
public final class KafkaIo {

    /**
     * Room for a record's framing beyond its key and value bytes: the record batch header (61
     * bytes) and the record's own lengths, attributes and deltas (under 30), with a wide margin.
     */
    static final int RECORD_FRAMING_BYTES = 1024;
    /** The producer's default {@code max.request.size}. */
    private static final int KAFKA_DEFAULT_MAX_REQUEST_BYTES = 1 << 20;

    private final FusionConfig config;
    private final boolean bounded;

    /**
     * @param bounded whether sources stop at the offsets that are latest when the job starts (for
     *     tests and benchmarks that run a finite input to completion)
     */
    public KafkaIo(FusionConfig config, boolean bounded) {
        this.config = config;
        this.bounded = bounded;
    }

    /** A source of raw records of {@code topic}, reading only committed transactions. */
    public KafkaSource<RawRecord> source(String topic) {
        OffsetResetStrategy reset = config.get(FusionOptions.STARTING_OFFSETS)
                == FusionOptions.StartingOffsets.LATEST ? OffsetResetStrategy.LATEST : OffsetResetStrategy.EARLIEST;
        KafkaSourceBuilder<RawRecord> builder = KafkaSource.<RawRecord>builder()
                .setBootstrapServers(bootstrapServers())
                .setTopics(topic)
                .setGroupId(config.get(FusionOptions.GROUP_ID))
                .setStartingOffsets(OffsetsInitializer.committedOffsets(reset))
                .setDeserializer(new RawRecordDeserializer())
                // KafkaSource does not set it: without it, aborted upstream transactions leak in.
                .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .setProperty("commit.offsets.on.checkpoint", "true");
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /** An exactly-once (or at-least-once, per configuration) sink of contract records. */
    public <T extends SpecificRecord> KafkaSink<T> sink(Class<T> type, String topic,
            SerializableFunction<T, byte[]> keyOf, String transactionalSuffix) {
        return sinkBuilder(type, topic, keyOf, transactionalSuffix).build();
    }

    /**
     * The dead-letter sink: as {@link #sink}, with a {@code max.request.size} that holds the
     * largest dead letter {@code dlq.*} allows (its key is the dead letter's key), so that no
     * input, however large, can make it fail.
     */
    public KafkaSink<DeadLetter> deadLetterSink(String topic,
            SerializableFunction<DeadLetter, byte[]> keyOf) {
        // Never below Kafka's own default, which a batch of many small dead letters may fill.
        int maxRequest = Math.max(KAFKA_DEFAULT_MAX_REQUEST_BYTES,
                maxDeadLetterRecordBytes(config.deadLetters()));
        return sinkBuilder(DeadLetter.class, topic, keyOf, "dlq")
                .setProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(maxRequest))
                .build();
    }

    /**
     * Upper bound of a dead-letter Kafka record, as the producer and the broker measure it: the
     * encoded dead letter, its key again as the record key, and the record batch's framing.
     */
    public static int maxDeadLetterRecordBytes(DeadLetters letters) {
        return letters.maxEncodedBytes() + letters.maxKeyBytes() + RECORD_FRAMING_BYTES;
    }

    private <T extends SpecificRecord> KafkaSinkBuilder<T> sinkBuilder(Class<T> type, String topic,
            SerializableFunction<T, byte[]> keyOf, String transactionalSuffix) {
        boolean exactlyOnce = config.get(FusionOptions.EXACTLY_ONCE);
        return KafkaSink.<T>builder()
                .setBootstrapServers(bootstrapServers())
                .setRecordSerializer(new ContractRecordSerializer<>(type, topic, keyOf))
                .setDeliveryGuarantee(exactlyOnce ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE)
                .setTransactionalIdPrefix(config.get(FusionOptions.TRANSACTIONAL_ID_PREFIX) + "-" + transactionalSuffix)
                .setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                        String.valueOf(config.get(FusionOptions.TRANSACTION_TIMEOUT).toMillis()));
    }

    private String bootstrapServers() {
        if (!config.isSet(FusionOptions.BOOTSTRAP_SERVERS)) {
            throw new dev.fusion.jobs.config.ConfigException(FusionOptions.BOOTSTRAP_SERVERS.key()
                    + " is required: the Kafka cluster to read from and write to");
        }
        return config.get(FusionOptions.BOOTSTRAP_SERVERS);
    }
}
