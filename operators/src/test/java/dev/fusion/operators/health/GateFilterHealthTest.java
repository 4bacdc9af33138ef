package dev.fusion.operators.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.models.manifest.Modality;
import dev.fusion.models.runtime.LogCapture;
import dev.fusion.operators.TestStreams;
import dev.fusion.operators.filter.GateFilterFunction;
import dev.fusion.operators.records.RoutedRecord;
import java.time.Duration;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;

/**
 * The gate filter feeds every record's gate, filtered or not, to its stream's health on the
 * operator's processing time: one stream turns degraded, the other stays healthy.
 */
@SuppressWarnings("try") // the harness's close() may throw InterruptedException
class GateFilterHealthTest {

    private static RoutedRecord record(Modality m, int n, float gateLogit) {
        RoutedRecord r = new RoutedRecord();
        r.slot = m.index();
        r.eventId = m + "-" + n;
        r.entityId = "e" + n;
        r.eventTime = n;
        r.sourceTopic = "fusion." + m.id();
        r.embedding = new float[] {1f};
        r.gateLogit = gateLogit;
        return r;
    }

    @Test
    void aStreamOfLowGatesTurnsDegradedAndTheOthersStayHealthy() throws Exception {
        RecordedMetrics metrics = new RecordedMetrics();
        HealthOptions options = new HealthOptions(0.3, Duration.ofSeconds(1),
                Duration.ofSeconds(2));
        // routing.min-gate 0.5 filters the low gates: they still count for health.
        RecordedMetrics textMetrics = new RecordedMetrics();
        try (LogCapture log = new LogCapture(StreamGateMonitor.class);
                var audio = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(
                        new GateFilterFunction(TestStreams.AUDIO, 0.5, options)), metrics.environment());
                var text = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(
                        new GateFilterFunction(TestStreams.TEXT, 0.5, options)),
                        textMetrics.environment())) {
            audio.open();
            text.open();
            for (int n = 0; n < 40; n++) {
                audio.setProcessingTime(n * 100L);
                text.setProcessingTime(n * 100L);
                text.processElement(record(TestStreams.TEXT, n, 4f), n);  // gate 0.982
                audio.processElement(record(TestStreams.AUDIO, n, -4f), n); // gate 0.018
            }

            assertThat(text.extractOutputValues()).hasSize(40);
            assertThat(audio.extractOutputValues()).isEmpty();
            assertThat(metrics.gauge("degraded", "audio")).isEqualTo(1);
            assertThat(textMetrics.gauge("degraded", "text")).isEqualTo(0);
            assertThat((Double) metrics.gauge("meanGate", "audio"))
                    .isCloseTo(1 / (1 + Math.exp(4)), org.assertj.core.data.Offset.offset(1e-6));
            assertThat((Double) textMetrics.gauge("meanGate", "text"))
                    .isCloseTo(1 / (1 + Math.exp(-4)), org.assertj.core.data.Offset.offset(1e-6));
            assertThat(log.messages(Level.WARN)).containsExactly("stream audio degraded (subtask"
                    + " 1/1): mean gate 0.018 over the last 1 s below health.min-mean-gate 0.300"
                    + " for 2.0 s");
        }
    }
}
