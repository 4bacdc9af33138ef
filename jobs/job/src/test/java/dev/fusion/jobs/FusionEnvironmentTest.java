package dev.fusion.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusion.jobs.config.ConfigException;
import dev.fusion.jobs.config.FusionConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.changelog.fs.FsStateChangelogOptions;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateChangelogOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.RecoveryClaimMode;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.runtime.executiongraph.failover.RestartBackoffTimeStrategy;
import org.apache.flink.runtime.executiongraph.failover.RestartBackoffTimeStrategyFactoryLoader;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.TernaryBoolean;
import org.junit.jupiter.api.Test;

/**
 * The job's execution settings: the cluster's win unless the user set the job's key; retained
 * checkpoints; the cluster's restart strategy; the changelog state backend only where it can
 * work.
 */
class FusionEnvironmentTest {

    private static StreamExecutionEnvironment configured(Configuration cluster) {
        return FusionEnvironment.configure(StreamExecutionEnvironment.getExecutionEnvironment(cluster),
                FusionConfig.of(Map.of()));
    }

    @Test
    void theClustersSettingsWinUnlessTheUserSetTheJobsKey() {
        Configuration cluster = new Configuration();
        cluster.set(CoreOptions.DEFAULT_PARALLELISM, 8);
        cluster.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(10));
        cluster.set(ExecutionOptions.BUFFER_TIMEOUT, Duration.ofMillis(5));
        cluster.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, Duration.ofSeconds(1));

        StreamExecutionEnvironment yields = FusionEnvironment.configure(
                new StreamExecutionEnvironment(cluster), FusionConfig.of(Map.of()));
        assertThat(yields.getParallelism()).isEqualTo(8);
        assertThat(yields.getCheckpointConfig().getCheckpointInterval()).isEqualTo(10_000);
        assertThat(yields.getBufferTimeout()).isEqualTo(5);
        assertThat(yields.getConfig().getAutoWatermarkInterval()).isEqualTo(1000);
        // The checkpointing mode always follows the sinks' guarantee.
        assertThat(yields.getCheckpointConfig().getCheckpointingConsistencyMode())
                .isEqualTo(CheckpointingMode.EXACTLY_ONCE);

        StreamExecutionEnvironment overrides = FusionEnvironment.configure(
                new StreamExecutionEnvironment(cluster), FusionConfig.of(Map.of("job.parallelism", "3",
                        "job.checkpoint-interval", "3 s", "job.buffer-timeout", "20 ms",
                        "watermarks.interval", "50 ms", "job.exactly-once", "false")));
        assertThat(overrides.getParallelism()).isEqualTo(3);
        assertThat(overrides.getCheckpointConfig().getCheckpointInterval()).isEqualTo(3000);
        assertThat(overrides.getBufferTimeout()).isEqualTo(20);
        assertThat(overrides.getConfig().getAutoWatermarkInterval()).isEqualTo(50);
        assertThat(overrides.getCheckpointConfig().getCheckpointingConsistencyMode())
                .isEqualTo(CheckpointingMode.AT_LEAST_ONCE);
    }

    @Test
    void whereTheClusterSetsNothingTheJobsDefaultsApply() {
        StreamExecutionEnvironment env = FusionEnvironment.configure(
                new StreamExecutionEnvironment(new Configuration()), FusionConfig.of(Map.of()));
        assertThat(env.getParallelism()).isEqualTo(2);
        assertThat(env.getCheckpointConfig().getCheckpointInterval()).isEqualTo(1000);
        assertThat(env.getBufferTimeout()).isEqualTo(100);
        assertThat(env.getConfig().getAutoWatermarkInterval()).isEqualTo(200);
    }

    @Test
    void checkpointsAreRetainedOnCancellationAndFailureUnlessTheClusterSaysOtherwise() {
        assertThat(configured(new Configuration()).getConfiguration()
                .get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION))
                .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);

        Configuration cluster = new Configuration();
        cluster.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.DELETE_ON_CANCELLATION);
        assertThat(configured(cluster).getConfiguration()
                .get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION))
                .isEqualTo(ExternalizedCheckpointRetention.DELETE_ON_CANCELLATION);
    }

    @Test
    void theJobSetsNoRestartStrategySoTheClustersApplies() {
        Configuration job = new Configuration();
        configured(new Configuration()).getConfiguration().toMap().forEach(job::setString);
        assertThat(job.keySet()).noneMatch(key -> key.startsWith("restart-strategy"));

        Configuration cluster = new Configuration();
        cluster.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        cluster.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        assertThat(strategy(job, cluster).getClass().getSimpleName())
                .isEqualTo("FixedDelayRestartBackoffTimeStrategy");
    }

    @Test
    void whereNobodySetsOneTheJobKeepsRetryingWithExponentialDelay() {
        Configuration job = new Configuration();
        configured(new Configuration()).getConfiguration().toMap().forEach(job::setString);
        RestartBackoffTimeStrategy strategy = strategy(job, new Configuration());

        assertThat(strategy.getClass().getSimpleName()).isEqualTo("ExponentialDelayRestartBackoffTimeStrategy");
        // Many failures in a row (a second lost TaskManager, a long broker outage) never exhaust it.
        for (int failure = 0; failure < 1000; failure++) {
            strategy.notifyFailure(new RuntimeException("failure " + failure));
            assertThat(strategy.canRestart()).as("can restart after %d failures", failure + 1).isTrue();
        }
    }

    @Test
    void theChangelogIsOffUnlessTheJobOrTheClusterSwitchesItOn() {
        Configuration cluster = FusionEnvironment.changelogStorage(URI.create("file:///state/checkpoints/"));
        assertThat(configured(cluster).isChangelogStateBackendEnabled()).isEqualTo(TernaryBoolean.FALSE);
        assertThat(configured(cluster, Map.of("job.state-changelog", "true"))
                .isChangelogStateBackendEnabled()).isEqualTo(TernaryBoolean.TRUE);

        cluster.set(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG, true);
        assertThat(configured(cluster).isChangelogStateBackendEnabled()).isEqualTo(TernaryBoolean.TRUE);
        assertThat(configured(cluster, Map.of("job.state-changelog", "false"))
                .isChangelogStateBackendEnabled()).isEqualTo(TernaryBoolean.FALSE);
    }

    @Test
    void theChangelogIsStoredBesideTheCheckpoints() {
        Configuration storage = FusionEnvironment.changelogStorage(URI.create("file:///state/checkpoints/"));
        assertThat(storage.get(StateChangelogOptions.STATE_CHANGE_LOG_STORAGE)).isEqualTo("filesystem");
        assertThat(storage.get(FsStateChangelogOptions.BASE_PATH))
                .isEqualTo("file:///state/checkpoints/changelog");
    }

    @Test
    void aChangelogWithoutFileSystemStorageFailsNamingTheKeys() {
        Map<String, String> on = Map.of("job.state-changelog", "true");
        assertThatThrownBy(() -> configured(new Configuration(), on))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("job.state-changelog")
                .hasMessageContaining("state.changelog.storage: filesystem")
                .hasMessageContaining("state.changelog.dstl.dfs.base-path")
                .hasMessageContaining("state.changelog.storage: memory");
    }

    @Test
    void aChangelogCannotRestoreASnapshotItDoesNotClaim() {
        Configuration cluster = FusionEnvironment.changelogStorage(URI.create("file:///state/checkpoints"));
        cluster.set(StateRecoveryOptions.SAVEPOINT_PATH, "file:///backups/savepoint-1");
        Map<String, String> on = Map.of("job.state-changelog", "true");

        assertThatThrownBy(() -> configured(cluster, on))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("job.state-changelog")
                .hasMessageContaining("file:///backups/savepoint-1 without claiming it")
                .hasMessageContaining("job.state-changelog: false");
        assertThat(configured(cluster, Map.of()).isChangelogStateBackendEnabled())
                .isEqualTo(TernaryBoolean.FALSE);

        cluster.set(StateRecoveryOptions.RESTORE_MODE, RecoveryClaimMode.CLAIM);
        assertThat(configured(cluster, on).isChangelogStateBackendEnabled())
                .isEqualTo(TernaryBoolean.TRUE);
    }

    @Test
    void theChangelogIsMaterializedEveryMinuteUnlessTheClusterOrTheJobSaysOtherwise() {
        Configuration cluster = new Configuration();
        assertThat(configured(cluster, Map.of()).getConfig().getPeriodicMaterializeIntervalMillis())
                .isEqualTo(60_000);
        assertThat(configured(cluster, Map.of("job.changelog-materialize-interval", "30 s"))
                .getConfig().getPeriodicMaterializeIntervalMillis()).isEqualTo(30_000);

        cluster.set(StateChangelogOptions.PERIODIC_MATERIALIZATION_INTERVAL, Duration.ofMinutes(5));
        assertThat(configured(cluster, Map.of()).getConfig().getPeriodicMaterializeIntervalMillis())
                .isEqualTo(300_000);
        assertThat(configured(cluster, Map.of("job.changelog-materialize-interval", "2 min"))
                .getConfig().getPeriodicMaterializeIntervalMillis()).isEqualTo(120_000);

        assertThatThrownBy(() -> FusionConfig.of(Map.of("job.changelog-materialize-interval", "0 s")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("job.changelog-materialize-interval must be positive");
    }

    @Test
    void unalignedCheckpointsAreOffUnlessTheJobOrTheClusterSwitchesThemOn() {
        Configuration cluster = new Configuration();
        assertThat(configured(cluster, Map.of()).getCheckpointConfig().isUnalignedCheckpointsEnabled())
                .isFalse();
        assertThat(configured(cluster, Map.of("job.unaligned-checkpoints", "true"))
                .getCheckpointConfig().isUnalignedCheckpointsEnabled()).isTrue();

        cluster.set(CheckpointingOptions.ENABLE_UNALIGNED, true);
        assertThat(configured(cluster, Map.of()).getCheckpointConfig().isUnalignedCheckpointsEnabled())
                .isTrue();
        assertThat(configured(cluster, Map.of("job.unaligned-checkpoints", "false"))
                .getCheckpointConfig().isUnalignedCheckpointsEnabled()).isFalse();
    }

    @Test
    void unalignedCheckpointsWithAtLeastOnceSinksFailNamingBothKeys() {
        assertThatThrownBy(() -> configured(new Configuration(),
                Map.of("job.unaligned-checkpoints", "true", "job.exactly-once", "false")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("job.unaligned-checkpoints")
                .hasMessageContaining("execution.checkpointing.unaligned.enabled")
                .hasMessageContaining("job.exactly-once: true");
        Configuration cluster = new Configuration();
        cluster.set(CheckpointingOptions.ENABLE_UNALIGNED, true);
        assertThatThrownBy(() -> configured(cluster, Map.of("job.exactly-once", "false")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("job.exactly-once: true");
    }

    private static StreamExecutionEnvironment configured(Configuration cluster, Map<String, String> job) {
        return FusionEnvironment.configure(new StreamExecutionEnvironment(cluster), FusionConfig.of(job));
    }

    private static RestartBackoffTimeStrategy strategy(Configuration job, Configuration cluster) {
        return RestartBackoffTimeStrategyFactoryLoader
                .createRestartBackoffTimeStrategyFactory(job, cluster, true).create();
    }
}
