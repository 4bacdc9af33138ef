package dev.fusion.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.it.ExpectedFusion.Expected;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.kafka.CommittedTopicReader;
import dev.fusion.models.manifest.FusionMode;
import dev.fusion.models.manifest.ModelManifest;
import dev.fusion.operators.records.RoutedRecord;
import dev.fusion.schemas.AlignmentPolicy;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DroppedEvent;
import dev.fusion.schemas.FusedEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * End to end through a real broker and a MiniCluster (parallelism 2, 3 partitions per topic):
 * every fused output equals what the model runtime computes directly on the same inputs.
 */
class FusionCorrectnessITCase extends KafkaJobTestBase {

    /** Absolute tolerance, scaled by the magnitude of values above 1 (float32 rounding). */
    static final double TOLERANCE = 1e-5;

    @ParameterizedTest(name = "{0} alignment, {1} fusion")
    @CsvSource({"window, max", "window, weighted", "latest, max", "latest, weighted"})
    void fusedOutputsEqualTheModelRuntimeOnTheSameInputs(String policy, String mode) throws Exception {
        Scenario scenario = Scenario.generate(12, 3, 42L);
        scenario.produce(broker.bootstrapServers(), topics);
        FusionConfig config = config(Map.of("align.policy", policy, "models.fusion-mode", mode,
                "align.window", "1 s", "align.ttl", "10 s"));

        runBounded(config);

        String bs = broker.bootstrapServers();
        List<FusedEvent> fused = CommittedTopicReader.readAll(bs, topics.fused(), FusedEvent.class, Duration.ofSeconds(30));
        List<DeadLetter> dlq = CommittedTopicReader.readAll(bs, topics.dlq(), DeadLetter.class, Duration.ofSeconds(30));
        List<DroppedEvent> dropped =
                CommittedTopicReader.readAll(bs, topics.dropped(), DroppedEvent.class, Duration.ofSeconds(30));
        assertThat(dlq).as("dead letters").isEmpty();
        assertThat(dropped).as("dropped events").isEmpty();
        Accounting.assertExact(scenario.eventIds(), fused, dlq, dropped);

        ModelManifest manifest = ModelManifest.loadBundled();
        FusionMode fusionMode = FusionMode.fromId(mode);
        List<RoutedRecord> routed = ExpectedFusion.route(manifest, scenario.records);
        boolean window = policy.equals("window");
        Map<String, Expected> expected = window
                ? ExpectedFusion.window(manifest, fusionMode, routed, Scenario.WINDOW_MS)
                : ExpectedFusion.latest(manifest, fusionMode, routed, 10_000);

        Map<String, FusedEvent> actual = new TreeMap<>();
        for (FusedEvent e : fused) {
            String key = window ? e.getEntityId() + "@" + e.getEventTime().toEpochMilli() : e.getTriggerEventId();
            assertThat(actual.put(key, e)).as("two fusions for " + key).isNull();
        }
        assertThat(actual.keySet()).isEqualTo(new TreeMap<>(expected).keySet());
        for (Map.Entry<String, Expected> entry : expected.entrySet()) {
            Expected x = entry.getValue();
            FusedEvent e = actual.get(entry.getKey());
            String what = entry.getKey();
            assertThat(e.getAlignment()).isEqualTo(window ? AlignmentPolicy.WINDOW : AlignmentPolicy.LATEST);
            assertThat(e.getEntityId()).as(what).isEqualTo(x.entityId());
            assertThat(e.getEventTime().toEpochMilli()).as(what).isEqualTo(x.eventTime());
            assertThat(e.getTriggerEventId()).as(what).isEqualTo(x.triggerEventId());
            assertThat(e.getModalities()).as(what).containsExactlyElementsOf(x.modalities());
            assertThat(e.getSourceEventIds()).as(what).containsExactlyElementsOf(x.sourceEventIds());
            assertClose(what + " fused", e.getFused(), x.fused());
            assertClose(what + " weights", e.getWeights(), x.weights());
            assertClose(what + " scores", e.getScores(), x.scores());
            assertThat(e.getModelVersion()).isEqualTo("integration-" + mode + "@" + manifest.version());
        }
    }

    static void assertClose(String what, List<Float> actual, float[] expected) {
        assertThat(actual).as(what).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            double tolerance = TOLERANCE * Math.max(1.0, Math.abs(expected[i]));
            assertThat(Math.abs(actual.get(i) - (double) expected[i])).as("%s[%d]", what, i)
                    .isLessThanOrEqualTo(tolerance);
        }
    }
}
