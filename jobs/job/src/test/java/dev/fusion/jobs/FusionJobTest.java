package dev.fusion.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusion.jobs.config.ConfigException;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.models.manifest.FusionMode;
import dev.fusion.operators.records.RawRecord;
import dev.fusion.operators.records.RoutedRecordSerializer;
import dev.fusion.operators.watermarks.StartAwareIdleness;
import dev.fusion.schemas.AudioFeatureEvent;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DeadLetterReason;
import dev.fusion.schemas.DroppedEvent;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.ImageFeatureEvent;
import dev.fusion.schemas.Modality;
import dev.fusion.schemas.TextEvent;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole job without Kafka: in-memory sources and collected sinks, on a local MiniCluster. */
class FusionJobTest {

    private static final long T0 = Instant.parse("2026-11-23T08:00:00Z").toEpochMilli();

    @Test
    void aFusionModeWithoutItsIntegrationModelFailsAtStartNamingTheKey(@TempDir Path dir)
            throws Exception {
        Path artifacts = Path.of("..", "..", "models", "artifacts");
        for (String file : List.of("text_routing.onnx", "audio_routing.onnx", "image_routing.onnx",
                "integration_max.onnx")) {
            Files.copy(artifacts.resolve(file), dir.resolve(file));
        }
        ObjectNode manifest = (ObjectNode) new ObjectMapper().readTree(
                artifacts.resolve("manifest.json").toFile());
        ArrayNode models = (ArrayNode) manifest.get("models");
        for (int i = models.size() - 1; i >= 0; i--) {
            if (models.get(i).get("name").asText().equals("integration-weighted")) {
                models.remove(i);
            }
        }
        Files.writeString(dir.resolve("manifest.json"), manifest.toPrettyString());

        FusionConfig max = FusionConfig.of(Map.of("models.dir", dir.toString()));
        assertThat(new FusionJob(max, Clock.systemUTC()).fusionMode()).isEqualTo(FusionMode.MAX);
        FusionConfig weighted = max.with(Map.of("models.fusion-mode", "weighted"));
        assertThatThrownBy(() -> new FusionJob(weighted, Clock.systemUTC()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("models.fusion-mode=weighted: the manifest has no integration"
                        + " model for fusion mode");
    }

    @Test
    void aModelSetOfOtherStreamsIsServedAndItsTopicKeysAreChecked() {
        Path twoStream = Path.of("..", "..", "models", "model-sets", "two-stream");
        FusionConfig config = FusionConfig.of(Map.of("models.dir", twoStream.toString(),
                "kafka.topics.image", "cameras"));
        FusionJob job = new FusionJob(config, Clock.systemUTC());
        assertThat(job.manifest().modalities()).extracting(m -> m.id())
                .containsExactly("text", "image");
        assertThat(FusionJobMain.topics(config, job.manifest()))
                .containsExactly("fusion.text", "cameras", "fusion.fused", "fusion.dlq",
                        "fusion.dropped");

        // A topic key of a stream the manifest does not declare is a mistake, not a new stream.
        FusionConfig typo = config.with(Map.of("kafka.topics.imagee", "cameras"));
        assertThatThrownBy(() -> new FusionJob(typo, Clock.systemUTC()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("kafka.topics.imagee is set, but the manifest in ")
                .hasMessageEndingWith(" declares no modality 'imagee'; its modalities: [text, image]");
        assertThatThrownBy(() -> FusionConfig.of(Map.of("kafka.topics.Image", "x")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("unknown configuration key 'kafka.topics.Image'");
    }

    @Test
    void noInputUsesWatermarkAlignmentAndItsOldKeysFailSayingWhy() {
        Map<String, org.apache.flink.api.common.eventtime.WatermarkStrategy<RawRecord>> seen =
                new java.util.HashMap<>();
        FusionSources capturing = (e, m, watermarks) -> {
            seen.put(m.id(), watermarks);
            return e.fromData(List.of(raw("t", 0, new byte[] {1})), TypeInformation.of(RawRecord.class));
        };
        new FusionJob(FusionConfig.of(Map.of("inference.device", "cpu")), Clock.systemUTC()).build(
                StreamExecutionEnvironment.getExecutionEnvironment(), capturing, new Collected());
        assertThat(seen).hasSize(3);
        seen.values().forEach(w -> assertThat(w.getAlignmentParameters().isEnabled()).isFalse());
        seen.values().forEach(w -> assertThat(w).isInstanceOf(StartAwareIdleness.class));

        assertThatThrownBy(() -> FusionConfig.of(Map.of("watermarks.alignment-max-drift", "30 s")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("configuration key 'watermarks.alignment-max-drift' was removed")
                .hasMessageContaining("FLINK-39728");
    }

    @Test
    void theStartIdlenessIsNeverShorterThanTheIdleness() {
        FusionConfig defaults = FusionConfig.of(Map.of("inference.device", "cpu"));
        assertThat(new FusionJob(defaults, Clock.systemUTC()).startIdleness())
                .isEqualTo(Duration.ofSeconds(30));
        FusionConfig longIdleness = defaults.with(Map.of("watermarks.idleness", "60 s"));
        assertThat(new FusionJob(longIdleness, Clock.systemUTC()).startIdleness())
                .isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void fusesAnEntitysModalitiesAndDeadLettersBadBytes() throws Exception {
        FusionConfig config = FusionConfig.of(Map.of("job.parallelism", "1", "inference.device", "cpu",
                "align.window", "1 s", "validation.max-future-skew", "3650 d"));
        StreamExecutionEnvironment env = FusionEnvironment.configure(
                StreamExecutionEnvironment.getExecutionEnvironment(FusionEnvironment.baseConfiguration()), config);
        Map<String, List<RawRecord>> inputs = Map.of(
                "text", List.of(raw("fusion.text", 0, text("t-1", "e-1", T0 + 10, "quiet river")),
                        raw("fusion.text", 1, new byte[] {1, 2, 3})),
                "audio", List.of(raw("fusion.audio", 0, audio("a-1", "e-1", T0 + 20))),
                "image", List.of(raw("fusion.image", 0, image("i-1", "e-2", T0 + 30))));
        Collected sinks = new Collected();

        new FusionJob(config, Clock.systemUTC()).build(env,
                (e, m, watermarks) -> e.fromData(inputs.get(m.id()), TypeInformation.of(RawRecord.class))
                        .assignTimestampsAndWatermarks(watermarks),
                sinks);
        env.execute("fusion-job-test");

        List<FusedEvent> fused = sinks.drain(sinks.fused);
        assertThat(fused).extracting(FusedEvent::getEntityId).containsExactlyInAnyOrder("e-1", "e-2");
        FusedEvent e1 = fused.stream().filter(f -> f.getEntityId().equals("e-1")).findFirst().orElseThrow();
        assertThat(e1.getModalities()).containsExactly(Modality.TEXT, Modality.AUDIO);
        assertThat(e1.getPresentStreams()).containsExactly("text", "audio");
        assertThat(e1.getSourceEventIds()).containsExactly("a-1", "t-1");
        assertThat(e1.getEventTime()).isEqualTo(Instant.ofEpochMilli(T0 + 999));
        assertThat(e1.getWeights().get(2)).isZero();
        List<DeadLetter> dlq = sinks.drain(sinks.deadLetters);
        assertThat(dlq).hasSize(1);
        assertThat(dlq.get(0).getReason()).isEqualTo(DeadLetterReason.MALFORMED);
        assertThat(dlq.get(0).getOffset()).isEqualTo(1L);
        assertThat(sinks.drain(sinks.dropped)).isEmpty();
    }

    @Test
    void routedRecordsReachAlignmentThroughTheirOwnSerializer() {
        FusionConfig config = FusionConfig.of(Map.of("inference.device", "cpu"));
        StreamExecutionEnvironment env = FusionEnvironment.configure(
                StreamExecutionEnvironment.getExecutionEnvironment(FusionEnvironment.baseConfiguration()), config);
        new FusionJob(config, Clock.systemUTC()).build(env,
                (e, m, watermarks) -> e.fromData(List.of(raw("fusion." + m.id(), 0, new byte[0])),
                        TypeInformation.of(RawRecord.class)).assignTimestampsAndWatermarks(watermarks),
                new Collected());

        StreamNode align = env.getStreamGraph().getStreamNodes().stream()
                .filter(n -> n.getOperatorName().startsWith("align-")).findFirst().orElseThrow();
        assertThat(align.getTypeSerializersIn()).hasSize(1);
        assertThat(align.getTypeSerializersIn()[0]).isSameAs(RoutedRecordSerializer.INSTANCE);
    }

    /** Sinks that collect each output through Flink's collect mechanism. */
    static final class Collected implements FusionSinks {
        CloseableIterator<FusedEvent> fused;
        CloseableIterator<DeadLetter> deadLetters;
        CloseableIterator<DroppedEvent> dropped;

        @Override
        public void fused(DataStream<FusedEvent> stream) {
            fused = stream.collectAsync();
        }

        @Override
        public void deadLetters(DataStream<DeadLetter> stream) {
            deadLetters = stream.collectAsync();
        }

        @Override
        public void dropped(DataStream<DroppedEvent> stream) {
            dropped = stream.collectAsync();
        }

        <T> List<T> drain(CloseableIterator<T> it) throws Exception {
            List<T> out = new ArrayList<>();
            try (it) {
                it.forEachRemaining(out::add);
            }
            return out;
        }
    }

    private static RawRecord raw(String topic, long offset, byte[] value) {
        return new RawRecord(topic, 0, offset, 0L, "k".getBytes(StandardCharsets.UTF_8), value);
    }

    private static byte[] text(String id, String entity, long t, String text) {
        return SingleObjectCodec.forSpecific(TextEvent.class).encode(TextEvent.newBuilder().setEventId(id)
                .setEntityId(entity).setEventTime(Instant.ofEpochMilli(t)).setText(text).build());
    }

    private static byte[] audio(String id, String entity, long t) {
        return SingleObjectCodec.forSpecific(AudioFeatureEvent.class).encode(AudioFeatureEvent.newBuilder()
                .setEventId(id).setEntityId(entity).setEventTime(Instant.ofEpochMilli(t))
                .setFeatures(Collections.nCopies(128, 0.5f)).build());
    }

    private static byte[] image(String id, String entity, long t) {
        return SingleObjectCodec.forSpecific(ImageFeatureEvent.class).encode(ImageFeatureEvent.newBuilder()
                .setEventId(id).setEntityId(entity).setEventTime(Instant.ofEpochMilli(t))
                .setFeatures(Collections.nCopies(512, -0.25f)).build());
    }
}
