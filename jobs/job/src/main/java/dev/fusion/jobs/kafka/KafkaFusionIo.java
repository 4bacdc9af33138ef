package dev.fusion.jobs.kafka;

import dev.fusion.jobs.FusionSinks;
import dev.fusion.jobs.FusionSources;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import dev.fusion.operators.records.RawRecord;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DroppedEvent;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.models.manifest.Modality;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The job's production I/O: one Kafka source per input topic, one Kafka sink per output topic. */
public final class KafkaFusionIo implements FusionSources, FusionSinks {

    private final FusionConfig config;
    private final KafkaIo kafka;

    public KafkaFusionIo(FusionConfig config, boolean bounded) {
        this.config = config;
        this.kafka = new KafkaIo(config, bounded);
    }

    @Override
    public DataStream<RawRecord> stream(StreamExecutionEnvironment env, Modality modality,
            WatermarkStrategy<RawRecord> watermarks) {
        String name = modality.id();
        return env.fromSource(kafka.source(inputTopic(modality)), watermarks, "kafka-" + name)
                .uid("source-" + name);
    }

    @Override
    public void fused(DataStream<FusedEvent> fused) {
        fused.sinkTo(kafka.sink(FusedEvent.class, config.get(FusionOptions.TOPIC_FUSED),
                        e -> utf8(e.getEntityId()), "fused"))
                .name("kafka-fused").uid("sink-fused");
    }

    @Override
    public void deadLetters(DataStream<DeadLetter> deadLetters) {
        deadLetters.sinkTo(kafka.deadLetterSink(config.get(FusionOptions.TOPIC_DLQ),
                        KafkaFusionIo::originalKey))
                .name("kafka-dlq").uid("sink-dlq");
    }

    @Override
    public void dropped(DataStream<DroppedEvent> dropped) {
        dropped.sinkTo(kafka.sink(DroppedEvent.class, config.get(FusionOptions.TOPIC_DROPPED),
                        e -> utf8(e.getEntityId()), "dropped"))
                .name("kafka-dropped").uid("sink-dropped");
    }

    /** The configured input topic of a stream ({@code kafka.topics.<stream>}). */
    public String inputTopic(Modality modality) {
        return config.get(FusionOptions.inputTopic(modality.id()));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The record's original key, as far as the dead letter keeps it (dlq.max-key-bytes). */
    private static byte[] originalKey(DeadLetter d) {
        ByteBuffer key = d.getKey();
        if (key == null) {
            return null;
        }
        byte[] out = new byte[key.remaining()];
        key.duplicate().get(out);
        return out;
    }
}
