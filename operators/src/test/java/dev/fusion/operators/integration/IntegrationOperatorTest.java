package dev.fusion.operators.integration;

import dev.fusion.operators.TestStreams;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.models.inference.IntegrationBatch;
import dev.fusion.models.inference.IntegrationModel;
import dev.fusion.models.inference.IntegrationResult;
import dev.fusion.models.manifest.FusionMode;
import dev.fusion.models.runtime.Device;
import dev.fusion.models.runtime.RuntimeOptions;
import dev.fusion.operators.batch.MicroBatchOperator;
import dev.fusion.operators.batch.MicroBatchOptions;
import dev.fusion.operators.decode.DeadLetters;
import dev.fusion.operators.outputs.SideOutputs;
import dev.fusion.operators.records.FusionRequest;
import dev.fusion.operators.records.RoutedRecord;
import dev.fusion.operators.routing.ModelLocation;
import dev.fusion.schemas.AlignmentPolicy;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DeadLetterReason;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.Modality;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The integration layer inside the micro-batching operator, with the real bundled models. */
class IntegrationOperatorTest {

    static final RuntimeOptions CPU = new RuntimeOptions(Device.CPU, 1, 1);
    static final ModelLocation MODELS = ModelLocation.bundled();
    static final Instant NOW = Instant.parse("2026-11-23T08:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final int DIM = MODELS.manifest().embeddingDim();

    @Test
    void batchOfOneAndOfSixtyFourAreIdenticalAndMatchTheModel() throws Exception {
        for (FusionMode mode : FusionMode.values()) {
            List<FusionRequest> requests = requests(100, 11L);
            List<FusedEvent> one = run(mode, requests, 1).fused;
            List<FusedEvent> many = run(mode, requests, 64).fused;
            assertThat(many).as(mode.id()).hasSize(100).isEqualTo(one);

            try (IntegrationModel model = IntegrationModel.open(MODELS.manifest(), mode,
                    CPU)) {
                for (int i : new int[] {0, 1, 2, 3, 50}) {
                    FusionRequest r = requests.get(i);
                    IntegrationBatch batch = model.newBatch(1);
                    batch.add(new float[][] {row(r, TestStreams.TEXT), row(r, TestStreams.AUDIO),
                        row(r, TestStreams.IMAGE)}, r.gateLogits);
                    IntegrationResult direct = model.fuse(batch);
                    FusedEvent e = many.get(i);
                    assertThat(e.getFused()).containsExactlyElementsOf(boxed(direct.fused(0)));
                    assertThat(e.getScores()).containsExactlyElementsOf(boxed(direct.scores(0)));
                    assertThat(e.getWeights()).containsExactlyElementsOf(boxed(direct.weights(0)));
                }
            }
        }
    }

    @Test
    void carriesTheRequestsIdentityIntoTheFusedEvent() throws Exception {
        FusionRequest window = requests(1, 5L).get(0);
        window.mask = new float[] {1f, 0f, 1f};
        java.util.Arrays.fill(window.embeddings, DIM, 2 * DIM, 0f);
        window.gateLogits[1] = 0f;
        FusedEvent e = run(FusionMode.WEIGHTED, List.of(window), 1).fused.get(0);
        assertThat(e.getEntityId()).isEqualTo(window.entityId);
        assertThat(e.getEventTime()).isEqualTo(Instant.ofEpochMilli(window.eventTime));
        assertThat(e.getAlignment()).isEqualTo(AlignmentPolicy.WINDOW);
        assertThat(e.getWindowStart()).isEqualTo(Instant.ofEpochMilli(window.windowStart));
        assertThat(e.getModalities()).containsExactly(Modality.TEXT, Modality.IMAGE);
        assertThat(e.getStreamNames()).containsExactly("text", "audio", "image");
        assertThat(e.getPresentStreams()).containsExactly("text", "image");
        assertThat(e.getSourceEventIds()).containsExactly(window.sourceEventIds);
        assertThat(e.getTriggerEventId()).isNull();
        assertThat(e.getModelVersion()).isEqualTo("integration-weighted@" + MODELS.manifest().version());
        assertThat(e.getEmittedAt()).isEqualTo(NOW);
        assertThat(e.getFused()).hasSize(DIM);
        assertThat(e.getScores()).hasSize(MODELS.manifest().numClasses());
        assertThat(e.getWeights().get(1)).isZero();
        assertThat(e.getWeights().get(0) + e.getWeights().get(2)).isCloseTo(1f,
                org.assertj.core.data.Offset.offset(1e-5f));
    }

    @Test
    void aPoisonFusionDeadLettersEveryEventItAccountsForWithItsCoordinates() throws Exception {
        List<FusionRequest> requests = requests(6, 9L);
        FusionRequest poison = requests.get(2);
        poison.embeddings[5] = Float.NaN;
        FusionRequest latestPoison = requests.get(4);
        latestPoison.alignment = AlignmentPolicy.LATEST;
        latestPoison.windowStart = null;
        latestPoison.triggerEventId = latestPoison.sourceEventIds[0];
        latestPoison.embeddings[1] = Float.POSITIVE_INFINITY;
        Result r = run(FusionMode.MAX, requests, 6);
        assertThat(r.fused).extracting(FusedEvent::getEntityId)
                .containsExactly("e-0", "e-1", "e-3", "e-5");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < poison.sourceEventIds.length; i++) {
            expected.add(poison.sourceEventIds[i] + " " + poison.sourceTopics[i] + "/"
                    + poison.sourcePartitions[i] + "@" + poison.sourceOffsets[i] + " e-2");
        }
        // A latest fusion accounts for its trigger only, which it lists first.
        expected.add(latestPoison.triggerEventId + " " + latestPoison.sourceTopics[0] + "/"
                + latestPoison.sourcePartitions[0] + "@" + latestPoison.sourceOffsets[0] + " e-4");
        assertThat(r.deadLetters).extracting(d -> d.getEventId() + " " + d.getSourceTopic() + "/"
                + d.getPartition() + "@" + d.getOffset() + " "
                + StandardCharsets.UTF_8.decode(d.getKey())).containsExactlyElementsOf(expected);
        assertThat(r.deadLetters).allSatisfy(d -> {
            assertThat(d.getReason()).isEqualTo(DeadLetterReason.INFERENCE_FAILED);
            assertThat(d.getValue()).isNull();
            assertThat(d.getMessage()).startsWith("integration inference failed");
        });
    }

    @Test
    void aPoisonFusionRestoredWithoutCoordinatesNamesTheStage() throws Exception {
        List<FusionRequest> requests = requests(2, 3L);
        FusionRequest poison = requests.get(1);
        java.util.Arrays.fill(poison.embeddings, Float.NaN);
        poison.sourceTopics = null;
        poison.sourcePartitions = null;
        poison.sourceOffsets = null;
        Result r = run(FusionMode.MAX, requests, 2);
        assertThat(r.deadLetters).extracting(DeadLetter::getEventId)
                .containsExactly(poison.sourceEventIds);
        assertThat(r.deadLetters).allSatisfy(d -> {
            assertThat(d.getSourceTopic()).isEqualTo(FusionPoisonHandler.STAGE);
            assertThat(d.getPartition()).isEqualTo(-1);
            assertThat(d.getOffset()).isEqualTo(-1L);
        });
    }

    static List<FusionRequest> requests(int n, long seed) {
        Random random = new Random(seed);
        List<FusionRequest> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            FusionRequest r = FusionRequest.empty("e-" + i, 10_999L + i, AlignmentPolicy.WINDOW, TestStreams.M, DIM);
            r.windowStart = 10_000L + i;
            List<RoutedRecord> sources = new ArrayList<>();
            int mask = 1 + (i % 7);
            for (dev.fusion.models.manifest.Modality m : TestStreams.ALL) {
                if ((mask & (1 << m.index())) != 0) {
                    float[] z = new float[DIM];
                    for (int d = 0; d < DIM; d++) {
                        z[d] = (float) random.nextGaussian();
                    }
                    r.put(m.index(), z, (float) random.nextGaussian());
                    RoutedRecord source = new RoutedRecord();
                    String name = m.id();
                    source.eventId = name + "-" + i;
                    source.sourceTopic = "fusion." + name;
                    source.partition = i % 3;
                    source.offset = 100L * i + m.index();
                    sources.add(source);
                }
            }
            r.setSources(sources);
            out.add(r);
        }
        return out;
    }

    private static float[] row(FusionRequest r, dev.fusion.models.manifest.Modality m) {
        return r.has(m.index()) ? r.embedding(m.index()) : null;
    }

    private static List<Float> boxed(float[] v) {
        List<Float> out = new ArrayList<>();
        for (float f : v) {
            out.add(f);
        }
        return out;
    }

    /** What an integration operator emitted. */
    record Result(List<FusedEvent> fused, List<DeadLetter> deadLetters) {
    }

    static Result run(FusionMode mode, List<FusionRequest> requests, int batchSize) throws Exception {
        MicroBatchOperator<FusionRequest, FusedEvent> operator = new MicroBatchOperator<>(
                new IntegrationFunction(MODELS, mode, CPU, CLOCK), new FusionPoisonHandler(DeadLetters.defaults()),
                new MicroBatchOptions(batchSize, Duration.ofSeconds(60)));
        try (OneInputStreamOperatorTestHarness<FusionRequest, FusedEvent> h =
                new OneInputStreamOperatorTestHarness<>(operator,
                        TypeInformation.of(FusionRequest.class).createSerializer(
                                new org.apache.flink.api.common.serialization.SerializerConfigImpl()))) {
            h.open();
            for (FusionRequest r : requests) {
                h.processElement(new StreamRecord<>(r, r.eventTime));
            }
            h.endInput();
            List<DeadLetter> letters = new ArrayList<>();
            var side = h.getSideOutput(SideOutputs.DEAD_LETTERS);
            if (side != null) {
                side.forEach(s -> letters.add(s.getValue()));
            }
            return new Result(h.extractOutputValues(), letters);
        }
    }
}
