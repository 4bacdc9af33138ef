package dev.fusion.jobs.kafka;

import dev.fusion.jobs.config.ConfigException;
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
import java.util.Properties;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Builds the job's Kafka sources and exactly-once sinks from the configuration, each with the
 * user's {@code kafka.properties.*} ({@link KafkaClientProperties}). The job's own settings:
 * the group id, transactional ids and transaction timeout come from their {@code kafka.*}
 * options (a pass-through of them is refused); {@code isolation.level=read_committed} and
 * {@code commit.offsets.on.checkpoint=true} (which the fresh-start guard relies on) overrule the
 * user's; the dead-letter sink's {@code max.request.size} is the user's, raised to hold the
 * largest dead letter if it is below that.
 */
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
        KafkaClientProperties clients = KafkaClientProperties.of(config);
        Properties props = clients.properties();
        // KafkaSource does not set it: without it, aborted upstream transactions leak in.
        KafkaClientProperties.override(props, ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed", "without it, records of aborted upstream transactions leak in");
        KafkaClientProperties.override(props, "commit.offsets.on.checkpoint", "true",
                "the committed offsets are how a stateless start over earlier progress is caught");
        KafkaSourceBuilder<RawRecord> builder = KafkaSource.<RawRecord>builder()
                .setProperties(props)
                .setBootstrapServers(clients.bootstrapServers())
                .setTopics(topic)
                .setGroupId(config.get(FusionOptions.GROUP_ID))
                .setStartingOffsets(OffsetsInitializer.committedOffsets(reset))
                .setDeserializer(new RawRecordDeserializer());
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /** An exactly-once (or at-least-once, per configuration) sink of contract records. */
    public <T extends SpecificRecord> KafkaSink<T> sink(Class<T> type, String topic,
            SerializableFunction<T, byte[]> keyOf, String transactionalSuffix) {
        return sinkBuilder(type, topic, keyOf, transactionalSuffix,
                KafkaClientProperties.of(config).properties()).build();
    }

    /**
     * The dead-letter sink: as {@link #sink}, with a {@code max.request.size} that holds the
     * largest dead letter {@code dlq.*} allows (its key is the dead letter's key), so that no
     * input, however large, can make it fail.
     */
    public KafkaSink<DeadLetter> deadLetterSink(String topic,
            SerializableFunction<DeadLetter, byte[]> keyOf) {
        // Never below Kafka's own default, which a batch of many small dead letters may fill.
        int needed = Math.max(KAFKA_DEFAULT_MAX_REQUEST_BYTES,
                maxDeadLetterRecordBytes(config.deadLetters()));
        Properties props = KafkaClientProperties.of(config).properties();
        String user = props.getProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        if (user == null || parseBytes(user) < needed) {
            KafkaClientProperties.override(props, ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                    String.valueOf(needed), "the dead-letter sink must hold the largest dead letter"
                            + " dlq.max-value-bytes and dlq.max-key-bytes allow");
        }
        return sinkBuilder(DeadLetter.class, topic, keyOf, "dlq", props).build();
    }

    /** The {@code max.request.size} of the job's sinks: the user's, else Kafka's default. */
    public static int maxRequestBytes(FusionConfig config) {
        String user = config.kafkaProperties().get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        return user == null ? KAFKA_DEFAULT_MAX_REQUEST_BYTES : parseBytes(user);
    }

    /**
     * Upper bound of a dead-letter Kafka record, as the producer and the broker measure it: the
     * encoded dead letter, its key again as the record key, and the record batch's framing.
     */
    public static int maxDeadLetterRecordBytes(DeadLetters letters) {
        return letters.maxEncodedBytes() + letters.maxKeyBytes() + RECORD_FRAMING_BYTES;
    }

    private <T extends SpecificRecord> KafkaSinkBuilder<T> sinkBuilder(Class<T> type, String topic,
            SerializableFunction<T, byte[]> keyOf, String transactionalSuffix, Properties props) {
        boolean exactlyOnce = config.get(FusionOptions.EXACTLY_ONCE);
        KafkaSinkBuilder<T> builder = KafkaSink.<T>builder();
        props.forEach((k, v) -> builder.setProperty(k.toString(), v.toString()));
        return builder
                .setBootstrapServers(props.getProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG))
                .setRecordSerializer(new ContractRecordSerializer<>(type, topic, keyOf))
                .setDeliveryGuarantee(exactlyOnce ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE)
                .setTransactionalIdPrefix(config.get(FusionOptions.TRANSACTIONAL_ID_PREFIX) + "-" + transactionalSuffix)
                .setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                        String.valueOf(config.get(FusionOptions.TRANSACTION_TIMEOUT).toMillis()));
    }

    private static int parseBytes(String raw) {
        try {
            return Integer.parseInt(raw.strip());
        } catch (NumberFormatException e) {
            throw new ConfigException("invalid value '" + raw + "' for "
                    + KafkaClientProperties.PREFIX + ProducerConfig.MAX_REQUEST_SIZE_CONFIG
                    + ": expected a number of bytes", e);
        }
    }
}
