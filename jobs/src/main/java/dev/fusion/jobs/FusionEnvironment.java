package dev.fusion.jobs;

import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import java.net.URI;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The execution settings every run of the job shares: checkpoints, restarts, no Kryo or copies. */
public final class FusionEnvironment {

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
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 20);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
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
        config.checkpointDirectory().ifPresent(dir -> env.configure(checkpointStorage(dir)));
        return env;
    }

    /** File-system checkpoint storage in {@code directory}. */
    public static Configuration checkpointStorage(URI directory) {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, directory.toString());
        return conf;
    }
}
