package dev.fusion.jobs;

import dev.fusion.jobs.config.ConfigException;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import java.net.URI;
import java.util.Optional;
import org.apache.flink.changelog.fs.FsStateChangelogOptions;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.StateChangelogOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The execution settings every run of the job shares: checkpoints that outlive the job, no Kryo
 * or copies.
 *
 * <p>It sets no restart strategy: the cluster's (or the user's) applies, and where neither sets
 * one, Flink's default for checkpointed jobs, exponential delay without an attempt limit, keeps
 * the job retrying through lost TaskManagers and broker outages.
 */
public final class FusionEnvironment {

    private static final Logger LOG = LoggerFactory.getLogger(FusionEnvironment.class);

    private FusionEnvironment() {
    }

    /** Settings that must be in place when the environment is created. */
    public static Configuration baseConfiguration() {
        Configuration conf = new Configuration();
        // Every type must have a Flink serializer of its own; a Kryo fallback is a bug here.
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        // Chained operators hand records over without a defensive deep copy (with copies, the
        // copies of fused records alone took a tenth of the fusing thread: docs/PERFORMANCE.md).
        // Safe because every function of the job emits fresh objects and never changes one after
        // emitting it; buffering operators keep only records their upstream no longer touches.
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        return conf;
    }

    /**
     * Applies parallelism, checkpointing, watermark and buffer timing from {@code config}. Each
     * of these is also a Flink setting: where the environment (the cluster's configuration,
     * {@code flink run -p} or {@code -D}) already has one, it wins unless the user set the job's
     * own key; every choice that overrides or yields to the cluster is logged once.
     */
    public static StreamExecutionEnvironment configure(StreamExecutionEnvironment env, FusionConfig config) {
        env.configure(baseConfiguration());
        ReadableConfig cluster = env.getConfiguration();
        if (jobDecides(cluster, config, FusionOptions.PARALLELISM, CoreOptions.DEFAULT_PARALLELISM)) {
            env.setParallelism(config.get(FusionOptions.PARALLELISM));
        }
        CheckpointingMode mode = config.get(FusionOptions.EXACTLY_ONCE) ? CheckpointingMode.EXACTLY_ONCE
                : CheckpointingMode.AT_LEAST_ONCE;
        if (jobDecides(cluster, config, FusionOptions.CHECKPOINT_INTERVAL,
                CheckpointingOptions.CHECKPOINTING_INTERVAL)) {
            env.enableCheckpointing(config.get(FusionOptions.CHECKPOINT_INTERVAL).toMillis(), mode);
        } else {
            // The interval is the cluster's; the mode follows the sinks' guarantee (job.exactly-once).
            env.getCheckpointConfig().setCheckpointingConsistencyMode(mode);
        }
        if (jobDecides(cluster, config, FusionOptions.WATERMARK_INTERVAL,
                PipelineOptions.AUTO_WATERMARK_INTERVAL)) {
            env.getConfig().setAutoWatermarkInterval(
                    config.get(FusionOptions.WATERMARK_INTERVAL).toMillis());
        }
        if (jobDecides(cluster, config, FusionOptions.BUFFER_TIMEOUT, ExecutionOptions.BUFFER_TIMEOUT)) {
            env.setBufferTimeout(config.get(FusionOptions.BUFFER_TIMEOUT).toMillis());
        }
        env.configure(retention(env.getConfiguration()));
        config.checkpointDirectory().ifPresent(dir -> env.configure(checkpointStorage(dir)));
        config.savepointDirectory().ifPresent(dir -> env.configure(savepointDirectory(dir)));
        if (jobDecides(cluster, config, FusionOptions.STATE_CHANGELOG,
                StateChangelogOptions.ENABLE_STATE_CHANGE_LOG)) {
            env.enableChangelogStateBackend(config.get(FusionOptions.STATE_CHANGELOG));
        }
        if (jobDecides(cluster, config, FusionOptions.CHANGELOG_MATERIALIZE_INTERVAL,
                StateChangelogOptions.PERIODIC_MATERIALIZATION_INTERVAL)) {
            env.configure(new Configuration().set(StateChangelogOptions.PERIODIC_MATERIALIZATION_INTERVAL,
                    config.get(FusionOptions.CHANGELOG_MATERIALIZE_INTERVAL)));
        }
        ChangelogChecks.check(env.getConfiguration());
        if (jobDecides(cluster, config, FusionOptions.UNALIGNED_CHECKPOINTS,
                CheckpointingOptions.ENABLE_UNALIGNED)) {
            env.getCheckpointConfig().enableUnalignedCheckpoints(
                    config.get(FusionOptions.UNALIGNED_CHECKPOINTS));
        }
        if (env.getConfiguration().get(CheckpointingOptions.ENABLE_UNALIGNED)
                && mode != CheckpointingMode.EXACTLY_ONCE) {
            // Flink would switch them off with a warning in its log; the user asked for both.
            throw new ConfigException(FusionOptions.UNALIGNED_CHECKPOINTS.key() + " (Flink's "
                    + CheckpointingOptions.ENABLE_UNALIGNED.key() + ") needs "
                    + FusionOptions.EXACTLY_ONCE.key() + ": true: Flink takes unaligned"
                    + " checkpoints only in exactly-once mode");
        }
        return env;
    }

    /**
     * Whether the job's {@code option} applies over Flink's {@code flinkOption}: when the user
     * set the job's key, or when the environment does not set Flink's.
     */
    static boolean jobDecides(ReadableConfig cluster, FusionConfig config, ConfigOption<?> option,
            ConfigOption<?> flinkOption) {
        Optional<?> clusters = cluster.getOptional(flinkOption);
        if (clusters.isEmpty() || clusters.get().equals(config.get(option))) {
            return true;
        }
        if (config.isSet(option)) {
            LOG.info("{}={} overrides the cluster's {}={}", option.key(), config.get(option),
                    flinkOption.key(), clusters.get());
            return true;
        }
        LOG.info("the cluster's {}={} applies ({} is not set)", flinkOption.key(), clusters.get(),
                option.key());
        return false;
    }

    /**
     * Checkpoints retained when the job is cancelled or fails: the next run resumes from them.
     * Without them a resubmitted job would read on from offsets committed past records that the
     * lost state still held. A retention the cluster sets explicitly wins, with a warning if it
     * deletes state on cancellation.
     */
    static Configuration retention(ReadableConfig current) {
        Configuration conf = new Configuration();
        var explicit = current.getOptional(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION);
        if (explicit.isEmpty()) {
            conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                    ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        } else if (explicit.get() != ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION) {
            LOG.warn("{} is {}: a cancelled job's checkpoints are lost, and a resubmitted job cannot"
                    + " resume from them (the job would set RETAIN_ON_CANCELLATION)",
                    CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION.key(), explicit.get());
        }
        return conf;
    }

    /** File-system checkpoint storage in {@code directory}. */
    public static Configuration checkpointStorage(URI directory) {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, directory.toString());
        return conf;
    }

    /**
     * What a TaskManager needs to store the changelog of {@code job.state-changelog}: file-system
     * storage under {@code <checkpointDirectory>/changelog}. Flink reads these two settings from
     * the TaskManager's configuration only, never from a job's, so a local cluster is started
     * with them and a Flink cluster sets them in its own configuration.
     */
    public static Configuration changelogStorage(URI checkpointDirectory) {
        Configuration conf = new Configuration();
        conf.set(StateChangelogOptions.STATE_CHANGE_LOG_STORAGE, ChangelogChecks.FILESYSTEM);
        conf.set(FsStateChangelogOptions.BASE_PATH,
                checkpointDirectory.toString().replaceAll("/+$", "") + "/changelog");
        return conf;
    }

    /** The default target directory of savepoints. */
    public static Configuration savepointDirectory(URI directory) {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, directory.toString());
        return conf;
    }
}
