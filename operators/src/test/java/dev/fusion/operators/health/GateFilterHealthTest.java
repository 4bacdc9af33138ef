package dev.fusion.operators.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.models.runtime.LogCapture;
import dev.fusion.operators.filter.GateFilterFunction;
import dev.fusion.operators.records.RoutedRecord;
import dev.fusion.schemas.Modality;
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
        r.modality = m;
        r.eventId = m + "-" + n;
        r.entityId = "e" + n;
        r.eventTime = n;
        r.sourceTopic = "fusion." + m.name().toLowerCase(java.util.Locale.ROOT);
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
        try (LogCapture log = new LogCapture(StreamGateMonitor.class);
                var h = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(
                        new GateFilterFunction(0.5, options)), metrics.environment())) {
            h.open();
            for (int n = 0; n < 40; n++) {
                h.setProcessingTime(n * 100L);
                h.processElement(record(Modality.TEXT, n, 4f), n);  // gate 0.982
                h.processElement(record(Modality.AUDIO, n, -4f), n); // gate 0.018
            }

            assertThat(h.extractOutputValues()).hasSize(40);
            assertThat(metrics.gauge("degraded", "audio")).isEqualTo(1);
            assertThat(metrics.gauge("degraded", "text")).isEqualTo(0);
            assertThat((Double) metrics.gauge("meanGate", "audio"))
                    .isCloseTo(1 / (1 + Math.exp(4)), org.assertj.core.data.Offset.offset(1e-6));
            assertThat((Double) metrics.gauge("meanGate", "text"))
                    .isCloseTo(1 / (1 + Math.exp(-4)), org.assertj.core.data.Offset.offset(1e-6));
            assertThat(log.messages(Level.WARN)).containsExactly("stream audio degraded (subtask"
                    + " 1/1): mean gate 0.018 over the last 1 s below health.min-mean-gate 0.300"
                    + " for 2.0 s");
        }
    }
}
