package dev.fusion.operators.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.fusion.models.runtime.LogCapture;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;

/** One stream's mean gate, health gauge and log lines, on a clock the test moves. */
class StreamGateMonitorTest {

    private static final HealthOptions OPTIONS = new HealthOptions(0.3, Duration.ofSeconds(2),
            Duration.ofSeconds(3));

    /** A metric group that keeps its gauges by name; the stream subgroup is itself. */
    private static final class Gauges extends UnregisteredMetricsGroup {
        final Map<String, Gauge<?>> byName = new HashMap<>();
        final Map<String, String> groups = new HashMap<>();

        @Override
        public MetricGroup addGroup(String key, String value) {
            groups.put(key, value);
            return this;
        }

        @Override
        public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
            byName.put(name, gauge);
            return gauge;
        }

        Object value(String name) {
            return byName.get(name).getValue();
        }
    }

    @Test
    void reportsTheMeanGateAndOneWarningOnEnteringAndOneInfoOnLeaving() {
        Gauges gauges = new Gauges();
        try (LogCapture log = new LogCapture(StreamGateMonitor.class)) {
            StreamGateMonitor monitor = new StreamGateMonitor(gauges, "audio", "2/3", OPTIONS);
            assertThat(gauges.groups).containsExactly(Map.entry("stream", "audio"));
            assertThat(gauges.value("meanGate")).isEqualTo(Double.NaN);
            assertThat(gauges.value("degraded")).isEqualTo(0);

            // Clean for 5 s, then noise: one record each 100 ms.
            long t = 0;
            for (; t < 5_000; t += 100) {
                monitor.record(0.8, t);
            }
            // A running sum over buckets: exact up to rounding.
            assertThat((Double) gauges.value("meanGate")).isCloseTo(0.8, offset(1e-9));
            assertThat(gauges.value("degraded")).isEqualTo(0);
            long flipped = -1;
            for (; t < 20_000; t += 100) {
                monitor.record(0.0, t);
                if (flipped < 0 && gauges.value("degraded").equals(1)) {
                    flipped = t;
                }
            }
            // The 2 s window (10 buckets of 200 ms) first has a mean below 0.3 at 6 200 ms,
            // with 6 clean records of 19 (3 clean buckets): 0.253; then 3 s more.
            assertThat(flipped).isEqualTo(9_200);
            assertThat((Double) gauges.value("meanGate")).isCloseTo(0.0, offset(1e-9));
            assertThat(log.messages(Level.WARN)).containsExactly("stream audio degraded (subtask"
                    + " 2/3): mean gate 0.000 over the last 2 s below health.min-mean-gate 0.300"
                    + " for 3.0 s");

            for (; t < 40_000; t += 100) {
                monitor.record(0.9, t);
            }
            assertThat(gauges.value("degraded")).isEqualTo(0);
            assertThat(log.messages(Level.WARN)).hasSize(1);
            assertThat(log.messages(Level.INFO)).containsExactly("stream audio recovered (subtask"
                    + " 2/3): mean gate 0.900 over the last 2 s at or above"
                    + " health.min-mean-gate 0.300 for 3.0 s");
        }
    }
}
