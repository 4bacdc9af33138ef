package dev.fusion.jobs.kafka;

import dev.fusion.schemas.codec.SingleObjectCodec;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a contract record to its topic: the key chosen by {@code keyOf} (null for none), the
 * value in single-object encoding.
 *
 * @param <T> the record type
 */
public final class ContractRecordSerializer<T extends SpecificRecord>
        implements KafkaRecordSerializationSchema<T> {

    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final String topic;
    private final SerializableFunction<T, byte[]> keyOf;
    private transient SingleObjectCodec<T> codec;

    public ContractRecordSerializer(Class<T> type, String topic, SerializableFunction<T, byte[]> keyOf) {
        this.type = type;
        this.topic = topic;
        this.keyOf = keyOf;
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
        codec = SingleObjectCodec.forSpecific(type);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
        if (codec == null) {
            codec = SingleObjectCodec.forSpecific(type);
        }
        return new ProducerRecord<>(topic, null, timestamp, keyOf.apply(element), codec.encode(element));
    }
}
