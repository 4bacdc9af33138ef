package dev.fusion.jobs.cli;

import dev.fusion.jobs.FusionEnvironment;
import dev.fusion.jobs.config.ConfigException;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import dev.fusion.jobs.lifecycle.LocalState;
import dev.fusion.jobs.lifecycle.Snapshot;
import dev.fusion.models.inference.RoutingModel;
import dev.fusion.operators.routing.ModelLocation;
import java.io.IOException;
import java.net.ServerSocket;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A local Flink MiniCluster with its web UI and Prometheus endpoint, for {@code run} and {@code demo}. */
public final class LocalCluster {

    private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);
    /** Flink's key prefix of the reporter named {@code prom}. */
    private static final String PROMETHEUS = "metrics.reporter.prom.";
    private static final String PROMETHEUS_FACTORY =
            "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";

    private LocalCluster() {
    }

    /** {@code port}, or a free port if it is 0. */
    public static int resolvePort(int port) {
        if (port != 0) {
            return port;
        }
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free local port", e);
        }
    }

    /**
     * The port of the Prometheus endpoint: {@code metrics.port}, or a free port if it is 0;
     * fails, naming the key, if the port is taken, rather than print a URL that does not answer.
     */
    public static int metricsPort(FusionConfig config) {
        int port = resolvePort(config.get(FusionOptions.METRICS_PORT));
        if (!free(port)) {
            throw new ConfigException("port " + port + " for the Prometheus endpoint is in use; choose"
                    + " another with --set " + FusionOptions.METRICS_PORT.key() + "=PORT (0: a free"
                    + " port)");
        }
        return port;
    }

    /** The URL the Prometheus endpoint on {@code port} answers at. */
    public static String metricsUrl(int port) {
        return "http://localhost:" + port + "/metrics";
    }

    /**
     * A local environment whose web UI listens on {@code webPort} (fails if the port is taken),
     * with Flink's Prometheus reporter on {@code metricsPort} (from {@link #metricsPort}), its
     * checkpoints and savepoints where {@code state} says and Flink's {@code settings} (such as a
     * snapshot to restore) on top.
     */
    public static StreamExecutionEnvironment environment(FusionConfig config, int webPort,
            int metricsPort, LocalState state, Configuration settings) {
        if (!free(webPort)) {
            throw new IllegalArgumentException("port " + webPort + " for the Flink web UI is in use; choose"
                    + " another with --web-port");
        }
        Configuration conf = FusionEnvironment.baseConfiguration();
        conf.set(RestOptions.PORT, webPort);
        conf.set(RestOptions.BIND_ADDRESS, "localhost");
        conf.set(ConfigOptions.key(PROMETHEUS + "factory.class").stringType().noDefaultValue(),
                PROMETHEUS_FACTORY);
        conf.set(ConfigOptions.key(PROMETHEUS + "port").stringType().noDefaultValue(),
                String.valueOf(metricsPort));
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, Math.max(4, config.get(FusionOptions.PARALLELISM)));
        // A local cluster has no settings of its own to respect: without this, Flink would make
        // its default parallelism the number of cores, and that would win over the job's default.
        conf.set(CoreOptions.DEFAULT_PARALLELISM, config.get(FusionOptions.PARALLELISM));
        // ONNX Runtime's per-thread input buffers are direct memory (see the model runtime).
        conf.set(TaskManagerOptions.TASK_OFF_HEAP_MEMORY, MemorySize.ofMebiBytes(128));
        // The job id and the snapshot to restore are read when the job is submitted, from the
        // environment's own configuration: they must be in it from the start.
        conf.addAll(state.flinkSettings());
        if (config.get(FusionOptions.STATE_CHANGELOG)) {
            conf.addAll(FusionEnvironment.changelogStorage(state.checkpointDir()));
        }
        conf.addAll(settings);
        StreamExecutionEnvironment env = FusionEnvironment.configure(
                StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf), config);
        env.configure(state.flinkSettings());
        LOG.info("checkpoints in {}, savepoints in {}", Snapshot.display(state.checkpointDir()),
                Snapshot.display(state.savepointDir()));
        return env;
    }

    /**
     * Opens and closes one routing session with the configured device, so that
     * {@code inference.device: cuda} without a usable GPU fails here, before anything starts.
     */
    public static void checkDevice(FusionConfig config) {
        ModelLocation models = ModelLocation.of(config.isSet(FusionOptions.MODELS_DIR)
                ? config.get(FusionOptions.MODELS_DIR) : null);
        try (RoutingModel probe = RoutingModel.open(models.manifest(),
                dev.fusion.models.manifest.Modality.AUDIO, config.runtimeOptions())) {
            probe.device();
        }
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
