package dev.fusion.jobs.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demo's reading of the health gauges from a Prometheus page, and the lines it prints. */
class StreamHealthProbeTest {

    private static final String PAGE = """
            # HELP flink_taskmanager_job_task_operator_stream_degraded degraded (scope: ...)
            # TYPE flink_taskmanager_job_task_operator_stream_degraded gauge
            flink_taskmanager_job_task_operator_stream_degraded{job_name="j",operator_name="gate-filter-audio",stream="audio",subtask_index="0",} 1.0
            flink_taskmanager_job_task_operator_stream_degraded{job_name="j",operator_name="gate-filter-audio",stream="audio",subtask_index="1",} 0.0
            flink_taskmanager_job_task_operator_stream_degraded{job_name="j",operator_name="gate-filter-text",stream="text",subtask_index="0",} 0.0
            flink_taskmanager_job_task_operator_stream_meanGate{job_name="j",operator_name="gate-filter-audio",stream="audio",subtask_index="0",} 0.002
            flink_taskmanager_job_task_operator_stream_meanGate{job_name="j",operator_name="gate-filter-audio",stream="audio",subtask_index="1",} 0.4
            flink_taskmanager_job_task_operator_stream_meanGate{job_name="j",operator_name="gate-filter-text",stream="text",subtask_index="0",} NaN
            flink_taskmanager_job_task_operator_stream_meanWeight{job_name="j",operator_name="fusion-weights",stream="image",subtask_index="0",} 0.5
            flink_taskmanager_job_task_operator_stream_recordsIn{job_name="j",operator_name="decode-image",stream="image",subtask_index="0",} 12.0
            """;

    @Test
    void aStreamIsDegradedWhenAnySubtaskSaysSoWithTheMeanOfItsSubtasksMeanGates() {
        Map<String, StreamHealthProbe.Health> health = StreamHealthProbe.parse(PAGE);
        assertThat(health).containsOnlyKeys("audio", "text");
        assertThat(health.get("audio").degraded()).isTrue();
        assertThat(health.get("audio").meanGate()).isCloseTo(0.201, offset(1e-12));
        assertThat(health.get("text")).isEqualTo(new StreamHealthProbe.Health(false, Double.NaN));
    }

    @Test
    void theStatusLineNamesTheDegradedStreamsOnly() {
        assertThat(StatusLine.degraded(StreamHealthProbe.parse(PAGE)))
                .isEqualTo(" | DEGRADED audio (mean gate 0.201)");
        assertThat(StatusLine.degraded(Map.of("text", new StreamHealthProbe.Health(false, 0.8))))
                .isEmpty();
    }

    @Test
    void theSummarySaysWhenEachStreamWasFirstDegraded() throws Exception {
        DemoSettings settings = DemoSettings.parse(new String[] {"--corrupt", "audio",
            "--corrupt-at", "30s"});
        assertThat(settings.corruptAt).isEqualTo(Duration.ofSeconds(30));

        assertThat(DemoSummary.health(Map.of(), settings))
                .isEqualTo("health     no stream reported degraded");
        assertThat(DemoSummary.health(Map.of("audio", 41_400L, "image", 50_000L), settings))
                .isEqualTo("health     audio degraded from 41 s (11 s after its corruption),"
                        + " image degraded from 50 s");
    }
}
