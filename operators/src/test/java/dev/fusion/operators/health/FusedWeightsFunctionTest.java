package dev.fusion.operators.health;

import dev.fusion.operators.TestStreams;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.schemas.AlignmentPolicy;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.Modality;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The per-stream mean fusion weight gauges, on the operator harness's processing time. */
@SuppressWarnings("try") // the harness's close() may throw InterruptedException
class FusedWeightsFunctionTest {

    private static final HealthOptions OPTIONS = new HealthOptions(0.3, Duration.ofSeconds(1),
            Duration.ofSeconds(1));

    private static FusedEvent fused(String entity, List<Modality> present, float... weights) {
        return FusedEvent.newBuilder().setEntityId(entity).setEventTime(Instant.EPOCH)
                .setAlignment(AlignmentPolicy.WINDOW).setWindowStart(null)
                .setFused(List.of(0f)).setScores(List.of(1f))
                .setWeights(List.of(weights[0], weights[1], weights[2])).setModalities(present)
                .setSourceEventIds(List.of(entity + "-e")).setTriggerEventId(null)
                .setModelVersion("m@1").setEmittedAt(Instant.EPOCH)
                .setStreamNames(List.of("text", "audio", "image"))
                .setPresentStreams(present.stream().map(m -> m.name().toLowerCase(Locale.ROOT))
                        .toList()).build();
    }

    @Test
    void meanWeightOfEachStreamOverTheFusionsItTookPartIn() throws Exception {
        RecordedMetrics metrics = new RecordedMetrics();
        FusedEvent all = fused("a", List.of(Modality.TEXT, Modality.AUDIO, Modality.IMAGE),
                0.2f, 0.3f, 0.5f);
        FusedEvent noAudio = fused("b", List.of(Modality.TEXT, Modality.IMAGE), 0.6f, 0f, 0.4f);
        try (var h = new OneInputStreamOperatorTestHarness<>(
                new ProcessOperator<>(new FusedWeightsFunction(OPTIONS, TestStreams.ALL)), metrics.environment())) {
            h.open();
            assertThat(metrics.gauge("meanWeight", "audio")).isEqualTo(Double.NaN);

            h.setProcessingTime(100);
            h.processElement(all, 1L);
            h.processElement(noAudio, 2L);

            assertThat(h.extractOutputValues()).containsExactly(all, noAudio);
            assertThat((Double) metrics.gauge("meanWeight", "text"))
                    .isCloseTo(0.4, org.assertj.core.data.Offset.offset(1e-6));
            assertThat((Double) metrics.gauge("meanWeight", "audio"))
                    .isCloseTo(0.3, org.assertj.core.data.Offset.offset(1e-6));
            assertThat((Double) metrics.gauge("meanWeight", "image"))
                    .isCloseTo(0.45, org.assertj.core.data.Offset.offset(1e-6));

            // A second later both fusions left the window; the next one is alone in it.
            h.setProcessingTime(1_100);
            h.processElement(fused("c", List.of(Modality.AUDIO), 0f, 1f, 0f), 3L);
            assertThat((Double) metrics.gauge("meanWeight", "audio")).isEqualTo(1.0);
            assertThat(metrics.gauge("meanWeight", "text")).isEqualTo(Double.NaN);
        }
    }
}
