package dev.fusion.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusion.jobs.config.ConfigException;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.lifecycle.LocalState;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/** The local cluster's Prometheus endpoint: its port, its refusal of a taken one, its settings. */
class LocalClusterTest {

    @Test
    void aTakenMetricsPortFailsNamingTheKey() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            FusionConfig config = FusionConfig.of(Map.of("metrics.port",
                    String.valueOf(taken.getLocalPort())));
            assertThatThrownBy(() -> LocalCluster.metricsPort(config))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("port " + taken.getLocalPort() + " for the Prometheus endpoint is in"
                            + " use; choose another with --set metrics.port=PORT (0: a free port)");
        }
    }

    @Test
    void portZeroPicksAFreePortAndTheReporterListensThere() {
        FusionConfig config = FusionConfig.of(Map.of("metrics.port", "0"));
        int port = LocalCluster.metricsPort(config);
        assertThat(port).isPositive();
        assertThat(LocalCluster.metricsUrl(port)).isEqualTo("http://localhost:" + port + "/metrics");
        StreamExecutionEnvironment env = LocalCluster.environment(config,
                LocalCluster.resolvePort(0), port, LocalState.temporary(config), new Configuration());
        Map<String, String> flink = env.getConfiguration().toMap();
        assertThat(flink).containsEntry("metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory")
                .containsEntry("metrics.reporter.prom.port", String.valueOf(port));
    }

    @Test
    void aMetricsPortOutsideTheRangeIsRefused() {
        assertThatThrownBy(() -> FusionConfig.of(Map.of("metrics.port", "65536")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("metrics.port");
    }
}
