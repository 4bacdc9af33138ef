package dev.fusion.jobs.kafka;

import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import dev.fusion.operators.records.RawRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;

/** Builds the job's Kafka sources and exactly-once sinks from the configuration. */
public final class KafkaIo {

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
        boolean exactlyOnce = config.get(FusionOptions.EXACTLY_ONCE);
        return KafkaSink.<T>builder()
                .setBootstrapServers(bootstrapServers())
                .setRecordSerializer(new ContractRecordSerializer<>(type, topic, keyOf))
                .setDeliveryGuarantee(exactlyOnce ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE)
                .setTransactionalIdPrefix(config.get(FusionOptions.TRANSACTIONAL_ID_PREFIX) + "-" + transactionalSuffix)
                .setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                        String.valueOf(config.get(FusionOptions.TRANSACTION_TIMEOUT).toMillis()))
                .build();
    }

    private String bootstrapServers() {
        if (!config.isSet(FusionOptions.BOOTSTRAP_SERVERS)) {
            throw new dev.fusion.jobs.config.ConfigException(FusionOptions.BOOTSTRAP_SERVERS.key()
                    + " is required: the Kafka cluster to read from and write to");
        }
        return config.get(FusionOptions.BOOTSTRAP_SERVERS);
    }
}
