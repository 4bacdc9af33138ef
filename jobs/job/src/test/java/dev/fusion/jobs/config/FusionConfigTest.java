package dev.fusion.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fusion.operators.health.HealthOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading, overriding and validating the job configuration; every error names its key. */
class FusionConfigTest {

    private static final Path EXAMPLE = Path.of("..", "..", "config", "fusion.example.yaml");

    @Test
    void defaultsAreValid() {
        FusionConfig config = FusionConfig.of(Map.of());
        assertThat(config.get(FusionOptions.BATCH_SIZE)).isEqualTo(64);
        assertThat(config.get(FusionOptions.MAX_DELAY)).isEqualTo(Duration.ofMillis(20));
        assertThat(config.get(FusionOptions.EXACTLY_ONCE)).isTrue();
        assertThat(config.get(FusionOptions.ALIGN_POLICY)).isEqualTo(FusionOptions.AlignPolicy.WINDOW);
    }

    @Test
    void theExampleFileIsValidAndDocumentsEveryOption() throws Exception {
        FusionConfig config = FusionConfig.load(EXAMPLE, Map.of());
        assertThat(config.get(FusionOptions.BOOTSTRAP_SERVERS)).isEqualTo("localhost:9092");
        // Every option is a key of the file, at its place in the nesting, and nothing else is.
        Set<String> keys = new TreeSet<>();
        leafKeys("", new ObjectMapper(new YAMLFactory()).readTree(EXAMPLE.toFile()), keys);
        assertThat(keys).as("keys of " + EXAMPLE).containsExactlyInAnyOrderElementsOf(
                FusionOptions.all().stream().map(ConfigOption::key).toList());
        // Its values are the defaults, apart from the bootstrap servers it must name.
        Map<String, String> defaults = FusionConfig.of(Map.of()).effective();
        Map<String, String> example = config.effective();
        example.remove("kafka.bootstrap-servers");
        defaults.remove("kafka.bootstrap-servers");
        assertThat(example).isEqualTo(defaults);
    }

    @Test
    void nestedYamlAndOverridesCombineWithOverridesWinning(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("c.yaml");
        Files.writeString(yaml, "inference:\n  batch-size: 16\n  max-delay: 5 ms\nalign:\n  policy: latest\n");
        FusionConfig config = FusionConfig.load(yaml, Map.of("inference.batch-size", "8"));
        assertThat(config.get(FusionOptions.BATCH_SIZE)).isEqualTo(8);
        assertThat(config.get(FusionOptions.MAX_DELAY)).isEqualTo(Duration.ofMillis(5));
        assertThat(config.get(FusionOptions.ALIGN_POLICY)).isEqualTo(FusionOptions.AlignPolicy.LATEST);
    }

    @Test
    void anUnknownKeyFailsWithASuggestion() {
        assertThatThrownBy(() -> FusionConfig.of(Map.of("inference.batchsize", "8")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown configuration key 'inference.batchsize'")
                .hasMessageContaining("did you mean 'inference.batch-size'?");
    }

    @Test
    void whatATaskManagerWouldRefuseIsRefusedHereNamingTheKey() {
        assertThatThrownBy(() -> FusionConfig.of(Map.of("inference.device", "gpu")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("inference.device")
                .hasMessageContaining("gpu");
        assertThatThrownBy(() -> FusionConfig.of(Map.of("inference.intra-op-threads", "300")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("inference.intra-op-threads: 300 is out of range");
        assertThat(FusionConfig.of(Map.of("inference.device", "cuda:1")).runtimeOptions().device())
                .hasToString("cuda:1");
    }

    @Test
    void aBadValueNamesItsKey() {
        assertThatThrownBy(() -> FusionConfig.of(Map.of("inference.max-delay", "soon")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("invalid value 'soon' for inference.max-delay");
        assertThatThrownBy(() -> FusionConfig.of(Map.of("align.policy", "sliding")))
                .hasMessageStartingWith("invalid value 'sliding' for align.policy");
    }

    @Test
    void rangesAreChecked() {
        assertThatThrownBy(() -> FusionConfig.of(Map.of("inference.batch-size", "0")))
                .hasMessage("inference.batch-size must be at least 1, got 0");
        assertThatThrownBy(() -> FusionConfig.of(Map.of("routing.min-gate", "1.5")))
                .hasMessage("routing.min-gate must be in [0, 1), got 1.5");
        assertThatThrownBy(() -> FusionConfig.of(Map.of("align.window", "0 ms")))
                .hasMessage("align.window must be positive, got PT0S");
        assertThatThrownBy(() -> FusionConfig.of(Map.of("watermarks.start-idleness", "0 s")))
                .hasMessage("watermarks.start-idleness must be positive, got PT0S");
        assertThatThrownBy(() -> FusionConfig.of(Map.of("validation.min-event-time", "yesterday")))
                .hasMessageStartingWith("invalid value 'yesterday' for validation.min-event-time");
    }

    @Test
    void theTopicReplicationFactorIsTheBrokersDefaultOrAShort() {
        assertThat(FusionConfig.of(Map.of()).get(FusionOptions.TOPIC_REPLICATION_FACTOR))
                .isEqualTo(-1);
        assertThat(FusionConfig.of(Map.of("kafka.topic-replication-factor", "3"))
                .get(FusionOptions.TOPIC_REPLICATION_FACTOR)).isEqualTo(3);
        assertThatThrownBy(() -> FusionConfig.of(Map.of("kafka.topic-replication-factor", "0")))
                .hasMessage("kafka.topic-replication-factor must be -1 (the brokers' default) or 1"
                        + " to 32767, got 0");
        assertThatThrownBy(() -> FusionConfig.of(Map.of("kafka.topic-replication-factor",
                "40000"))).hasMessageEndingWith("got 40000");
    }

    @Test
    void healthOptionsAreCheckedNamingTheKeyAndReachTheJob() {
        assertThatThrownBy(() -> FusionConfig.of(Map.of("health.min-mean-gate", "1")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("health.min-mean-gate must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> FusionConfig.of(Map.of("health.min-mean-gate", "-0.1")))
                .hasMessage("health.min-mean-gate must be in [0, 1), got -0.1");
        assertThatThrownBy(() -> FusionConfig.of(Map.of("health.window", "5 ms")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("health.window must be at least 10 ms, got PT0.005S");
        assertThatThrownBy(() -> FusionConfig.of(Map.of("health.degraded-after", "PT-1S")))
                .hasMessage("invalid value 'PT-1S' for health.degraded-after: negative duration is"
                        + " not supported");
        assertThatThrownBy(() -> FusionConfig.of(Map.of("health.degraded-after", "later")))
                .hasMessageStartingWith("invalid value 'later' for health.degraded-after");

        assertThat(FusionConfig.of(Map.of()).healthOptions()).isEqualTo(new HealthOptions(0.3,
                Duration.ofSeconds(10), Duration.ofSeconds(10)));
        assertThat(FusionConfig.of(Map.of("health.min-mean-gate", "0", "health.window", "2 s",
                "health.degraded-after", "0 s")).healthOptions())
                .isEqualTo(new HealthOptions(0.0, Duration.ofSeconds(2), Duration.ZERO));
    }

    @Test
    void deadLetterCapsAreCheckedAndReachTheDeadLetterBuilder() {
        assertThatThrownBy(() -> FusionConfig.of(Map.of("dlq.max-value-bytes", "-1")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("dlq.max-value-bytes must be between 0 and 16777216, got -1");
        assertThatThrownBy(() -> FusionConfig.of(Map.of("dlq.max-value-bytes", "16777217")))
                .hasMessage("dlq.max-value-bytes must be between 0 and 16777216, got 16777217");
        assertThatThrownBy(() -> FusionConfig.of(Map.of("dlq.max-key-bytes", "1048577")))
                .hasMessage("dlq.max-key-bytes must be between 0 and 1048576, got 1048577");
        assertThatThrownBy(() -> FusionConfig.of(Map.of("dlq.max-value-bytes", "1 MiB")))
                .hasMessageStartingWith("invalid value '1 MiB' for dlq.max-value-bytes");

        assertThat(FusionConfig.of(Map.of()).deadLetters().maxValueBytes()).isEqualTo(262_144);
        assertThat(FusionConfig.of(Map.of()).deadLetters().maxKeyBytes()).isEqualTo(1024);
        FusionConfig set = FusionConfig.of(Map.of("dlq.max-value-bytes", "0", "dlq.max-key-bytes", "16"));
        assertThat(set.deadLetters().maxValueBytes()).isZero();
        assertThat(set.deadLetters().maxKeyBytes()).isEqualTo(16);
    }

    @Test
    void transactionTimeoutMustExceedTheCheckpointInterval() {
        assertThatThrownBy(() -> FusionConfig.of(Map.of("kafka.transaction-timeout", "1 s",
                "job.checkpoint-interval", "2 s")))
                .hasMessageStartingWith("kafka.transaction-timeout (PT1S) must exceed job.checkpoint-interval (PT2S)");
    }

    @Test
    void everyOptionHasADescription() {
        assertThat(FusionOptions.all().stream().filter(o -> FusionOptions.describe(o).length() < 20)
                .map(ConfigOption::key).collect(Collectors.toList())).isEmpty();
        assertThat(FusionOptions.all()).hasSizeGreaterThan(25);
    }

    @Test
    void theLoggedConfigurationShowsTheTopicsOfFurtherStreams() {
        Map<String, String> effective = FusionConfig.of(Map.of("kafka.topics.depth", "sensors.depth",
                "kafka.topics.text", "feeds.text")).effective();
        assertThat(effective).containsEntry("kafka.topics.depth", "sensors.depth")
                .containsEntry("kafka.topics.text", "feeds.text")
                .containsEntry("kafka.topics.audio", "fusion.audio");
        assertThat(FusionConfig.of(Map.of()).effective().keySet().stream()
                .filter(k -> k.startsWith("kafka.topics.")))
                .containsExactlyInAnyOrder("kafka.topics.text", "kafka.topics.audio",
                        "kafka.topics.image", "kafka.topics.fused", "kafka.topics.dlq",
                        "kafka.topics.dropped");
    }

    @Test
    void theCheckpointDirectoryIsAUriOrAnAbsolutePath(@TempDir Path dir) {
        assertThat(FusionConfig.of(Map.of()).checkpointDirectory()).isEmpty();
        assertThat(FusionConfig.of(Map.of("job.checkpoint-dir", " ")).checkpointDirectory()).isEmpty();
        assertThat(FusionConfig.of(Map.of("job.checkpoint-dir", "s3://bucket/fusion/checkpoints"))
                .checkpointDirectory()).hasValue(java.net.URI.create("s3://bucket/fusion/checkpoints"));
        assertThat(FusionConfig.of(Map.of("job.checkpoint-dir", dir.resolve("a b").toString()))
                .checkpointDirectory()).hasValue(dir.resolve("a b").toUri());
        assertThat(FusionConfig.of(Map.of("job.checkpoint-dir", "relative/cp")).checkpointDirectory())
                .hasValue(Path.of("relative/cp").toAbsolutePath().toUri());
        assertThatThrownBy(() -> FusionConfig.of(Map.of("job.checkpoint-dir", "bad\0path")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("job.checkpoint-dir");
    }

    private static void leafKeys(String prefix, JsonNode node, Set<String> out) {
        node.fields().forEachRemaining(e -> {
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (e.getValue().isObject()) {
                leafKeys(key, e.getValue(), out);
            } else {
                out.add(key);
            }
        });
    }
}
