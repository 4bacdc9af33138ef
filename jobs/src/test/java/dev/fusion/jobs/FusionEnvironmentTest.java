package dev.fusion.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.jobs.config.FusionConfig;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.executiongraph.failover.RestartBackoffTimeStrategy;
import org.apache.flink.runtime.executiongraph.failover.RestartBackoffTimeStrategyFactoryLoader;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/** The job's execution settings: retained checkpoints, and the cluster's restart strategy. */
class FusionEnvironmentTest {

    private static StreamExecutionEnvironment configured(Configuration cluster) {
        return FusionEnvironment.configure(StreamExecutionEnvironment.getExecutionEnvironment(cluster),
                FusionConfig.of(Map.of()));
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

    private static RestartBackoffTimeStrategy strategy(Configuration job, Configuration cluster) {
        return RestartBackoffTimeStrategyFactoryLoader
                .createRestartBackoffTimeStrategyFactory(job, cluster, true).create();
    }
}
