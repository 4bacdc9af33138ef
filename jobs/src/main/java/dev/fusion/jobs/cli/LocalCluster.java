package dev.fusion.jobs.cli;

import dev.fusion.jobs.FusionEnvironment;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import dev.fusion.models.inference.RoutingModel;
import dev.fusion.models.runtime.RuntimeOptions;
import dev.fusion.operators.routing.ModelLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A local Flink MiniCluster with its web UI, for {@code run} and {@code demo}. */
public final class LocalCluster {

    private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);

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
            throw new IllegalStateException("no free port for the Flink web UI", e);
        }
    }

    /** A local environment whose web UI listens on {@code webPort}; fails if the port is taken. */
    public static StreamExecutionEnvironment environment(FusionConfig config, int webPort) {
        if (!free(webPort)) {
            throw new IllegalArgumentException("port " + webPort + " for the Flink web UI is in use; choose"
                    + " another with --web-port");
        }
        Configuration conf = FusionEnvironment.baseConfiguration();
        conf.set(RestOptions.PORT, webPort);
        conf.set(RestOptions.BIND_ADDRESS, "localhost");
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, Math.max(4, config.get(FusionOptions.PARALLELISM)));
        // ONNX Runtime's per-thread input buffers are direct memory (see the model runtime).
        conf.set(TaskManagerOptions.TASK_OFF_HEAP_MEMORY, MemorySize.ofMebiBytes(128));
        StreamExecutionEnvironment env = FusionEnvironment.configure(
                StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf), config);
        if (config.checkpointDirectory().isEmpty()) {
            env.configure(FusionEnvironment.checkpointStorage(temporaryCheckpointDirectory().toUri()));
        }
        return env;
    }

    /**
     * A fresh directory for the checkpoints of one local run, removed when the JVM exits: without
     * one, Flink would keep checkpoints in memory and refuse state above 5 MB.
     */
    static Path temporaryCheckpointDirectory() {
        try {
            Path dir = Files.createTempDirectory("fusion-checkpoints-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteRecursively(dir),
                    "checkpoint-cleanup"));
            LOG.info("checkpoints go to {} (removed at exit; set {} to keep them)", dir,
                    FusionOptions.CHECKPOINT_DIR.key());
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary checkpoint directory in "
                    + System.getProperty("java.io.tmpdir") + "; set " + FusionOptions.CHECKPOINT_DIR.key(), e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // Best effort at exit: a leftover temporary directory is harmless.
        }
    }

    /**
     * Opens and closes one routing session with the configured device, so that
     * {@code inference.device: cuda} without a usable GPU fails here, before anything starts.
     */
    public static void checkDevice(FusionConfig config, Map<String, String> inferenceOptions) {
        ModelLocation models = ModelLocation.of(config.isSet(FusionOptions.MODELS_DIR)
                ? config.get(FusionOptions.MODELS_DIR) : null);
        try (RoutingModel probe = RoutingModel.open(models.manifest(),
                dev.fusion.models.manifest.Modality.AUDIO, RuntimeOptions.fromMap(inferenceOptions))) {
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
