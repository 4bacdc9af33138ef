package dev.fusion.jobs;

import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import dev.fusion.jobs.kafka.BrokerPreflight;
import dev.fusion.jobs.kafka.KafkaFusionIo;
import dev.fusion.jobs.lifecycle.FreshStartGuard;
import java.nio.file.Path;
import java.time.Clock;
import dev.fusion.models.manifest.ModelManifest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job's entry point for {@code flink run} (and for {@code ./fusion run}): reads
 * {@code --config FILE} and {@code --set key=value} arguments, checks the Kafka cluster, and
 * runs the fusion job with Kafka sources and exactly-once sinks.
 */
public final class FusionJobMain {

    private static final Logger LOG = LoggerFactory.getLogger(FusionJobMain.class);

    private FusionJobMain() {
    }

    public static void main(String[] args) throws Exception {
        FusionConfig config = parse(args);
        StreamExecutionEnvironment env = FusionEnvironment.configure(
                StreamExecutionEnvironment.getExecutionEnvironment(FusionEnvironment.baseConfiguration()),
                config);
        submit(env, config);
        env.execute(config.get(FusionOptions.JOB_NAME));
    }

    /** Checks the cluster and adds the job to {@code env}. */
    public static void submit(StreamExecutionEnvironment env, FusionConfig config) throws InterruptedException {
        LOG.info("configuration: {}", config.effective());
        // Loading the job validates its models: a bad model directory fails before any broker call.
        FusionJob job = new FusionJob(config, Clock.systemUTC());
        List<String> topics = topics(config, job.manifest());
        BrokerPreflight.check(config, topics);
        ReadableConfig flink = env.getConfiguration();
        Optional<String> restore = flink.getOptional(StateRecoveryOptions.SAVEPOINT_PATH);
        LOG.info(restore.map(path -> "restoring state from " + path)
                .orElse("starting without state (no savepoint or checkpoint to restore)"));
        // With high availability, a restarted JobManager recovers the job's state by itself.
        boolean recoveredByCluster = flink.getOptional(HighAvailabilityOptions.HA_MODE)
                .filter(mode -> !mode.equalsIgnoreCase("NONE")).isPresent();
        FreshStartGuard.check(config, restore.isPresent() || recoveredByCluster,
                topics.subList(0, job.manifest().modalities().size()));
        KafkaFusionIo io = new KafkaFusionIo(config, false);
        LOG.info("serving {} (fusion {}, alignment {})", job.manifest(),
                config.get(FusionOptions.FUSION_MODE), config.get(FusionOptions.ALIGN_POLICY));
        job.build(env, io, io);
    }

    /** The topics the job reads (one per stream of {@code manifest}) and the three it writes. */
    public static List<String> topics(FusionConfig config, ModelManifest manifest) {
        List<String> topics = new ArrayList<>();
        manifest.modalities().forEach(m -> topics.add(config.get(FusionOptions.inputTopic(m.id()))));
        topics.add(config.get(FusionOptions.TOPIC_FUSED));
        topics.add(config.get(FusionOptions.TOPIC_DLQ));
        topics.add(config.get(FusionOptions.TOPIC_DROPPED));
        return topics;
    }

    /** {@code --config FILE} and {@code --set key=value}, the only arguments the job takes. */
    static FusionConfig parse(String[] args) {
        Path file = null;
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if ((a.equals("--config") || a.equals("--set")) && i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value");
            }
            if (a.equals("--config")) {
                file = Path.of(args[++i]);
            } else if (a.equals("--set")) {
                String kv = args[++i];
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--set takes key=value, got '" + kv + "'");
                }
                overrides.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
            } else {
                throw new IllegalArgumentException("unexpected argument '" + a
                        + "'; the job takes --config FILE and --set key=value");
            }
        }
        return FusionConfig.load(file, overrides);
    }
}
