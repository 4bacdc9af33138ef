package dev.fusion.bench.pipeline;

import dev.fusion.jobs.FusionSources;
import dev.fusion.jobs.kafka.RawRecordDeserializer;
import dev.fusion.operators.records.RawRecord;
import dev.fusion.schemas.Modality;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;

/**
 * Bounded Kafka sources over a prefix of the workload: from the earliest offset to given end
 * offsets, otherwise configured as the job's own sources (read_committed, raw records).
 */
final class PrefixSources implements FusionSources {

    private final String bootstrap;
    private final String topicPrefix;
    private final long[] stopOffsets;
    private final String groupId;

    PrefixSources(String bootstrap, String topicPrefix, long[] stopOffsets, String groupId) {
        this.bootstrap = bootstrap;
        this.topicPrefix = topicPrefix;
        this.stopOffsets = stopOffsets.clone();
        this.groupId = groupId;
    }

    @Override
    public DataStream<RawRecord> stream(StreamExecutionEnvironment env,
            dev.fusion.models.manifest.Modality stream, WatermarkStrategy<RawRecord> watermarks) {
        Modality modality = Modality.valueOf(stream.id().toUpperCase(Locale.ROOT));
        String topic = Workload.topic(topicPrefix, modality);
        Map<TopicPartition, Long> stop = new HashMap<>();
        for (int p = 0; p < stopOffsets.length; p++) {
            stop.put(new TopicPartition(topic, p), stopOffsets[p]);
        }
        KafkaSource<RawRecord> source = KafkaSource.<RawRecord>builder()
                .setBootstrapServers(bootstrap).setTopics(topic).setGroupId(groupId)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setBounded(OffsetsInitializer.offsets(stop))
                .setDeserializer(new RawRecordDeserializer())
                .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed").build();
        String name = modality.name().toLowerCase(Locale.ROOT);
        return env.fromSource(source, watermarks, "kafka-" + name).uid("source-" + name);
    }
}
