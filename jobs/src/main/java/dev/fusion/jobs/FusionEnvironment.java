package dev.fusion.jobs;

import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import java.net.URI;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.ReadableConfig;
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

    /** Applies parallelism, checkpointing, watermark and buffer timing from {@code config}. */
    public static StreamExecutionEnvironment configure(StreamExecutionEnvironment env, FusionConfig config) {
        env.configure(baseConfiguration());
        env.setParallelism(config.get(FusionOptions.PARALLELISM));
        env.enableCheckpointing(config.get(FusionOptions.CHECKPOINT_INTERVAL).toMillis(),
                config.get(FusionOptions.EXACTLY_ONCE) ? CheckpointingMode.EXACTLY_ONCE
                        : CheckpointingMode.AT_LEAST_ONCE);
        env.getConfig().setAutoWatermarkInterval(
                config.get(FusionOptions.WATERMARK_INTERVAL).toMillis());
        env.setBufferTimeout(config.get(FusionOptions.BUFFER_TIMEOUT).toMillis());
        env.configure(retention(env.getConfiguration()));
        config.checkpointDirectory().ifPresent(dir -> env.configure(checkpointStorage(dir)));
        config.savepointDirectory().ifPresent(dir -> env.configure(savepointDirectory(dir)));
        return env;
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

    /** The default target directory of savepoints. */
    public static Configuration savepointDirectory(URI directory) {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, directory.toString());
        return conf;
    }
}
