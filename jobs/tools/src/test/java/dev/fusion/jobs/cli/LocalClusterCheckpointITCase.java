package dev.fusion.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.lifecycle.JobIdentity;
import dev.fusion.jobs.lifecycle.LocalState;
import dev.fusion.jobs.lifecycle.RetainedState;
import dev.fusion.jobs.lifecycle.Snapshot;
import dev.fusion.jobs.lifecycle.StartPlan;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.RecoveryClaimMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.legacy.DiscardingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local cluster of {@code run} keeps its checkpoints on the file system under the job id that
 * {@code job.name} fixes, retains them when the job is cancelled, and the next run resumes from
 * them; the demo's go to a temporary directory.
 */
class LocalClusterCheckpointITCase {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void checkpointsAreRetainedWhenTheJobIsCancelledAndTheNextRunResumesFromThem(@TempDir Path dir)
            throws Exception {
        FusionConfig config = FusionConfig.of(Map.of("job.checkpoint-dir", dir.toString(),
                "job.checkpoint-interval", "100 ms", "job.parallelism", "1",
                "job.name", "retention-test"));
        LocalState state = LocalState.durable(config);
        RetainedState retained = state.retained();
        assertThat(retained.latest()).isEmpty();

        JobClient first = start(config, state, new Configuration());
        assertThat(first.getJobID()).isEqualTo(JobIdentity.of("retention-test"));
        Snapshot before = awaitCheckpoint(retained, null);
        cancel(first);
        Snapshot kept = retained.latest().orElseThrow(
                () -> new AssertionError("no checkpoint retained after cancel in " + dir));
        assertThat(kept.kind()).isEqualTo(Snapshot.Kind.CHECKPOINT);
        assertThat(checkpointNumber(kept)).isGreaterThanOrEqualTo(checkpointNumber(before));
        assertThat(Path.of(kept.location())).startsWith(dir.resolve(first.getJobID().toHexString()));

        StartPlan plan = StartPlan.decide(retained, null, false, Instant.now());
        assertThat(plan.restoreFrom()).contains(kept.location());
        assertThat(plan.claimMode()).isEqualTo(RecoveryClaimMode.CLAIM);
        JobClient second = start(config, state, plan.flinkSettings());
        // Restored, the job numbers its checkpoints on from the restored one, in the same place.
        Snapshot next = awaitCheckpoint(retained, kept);
        assertThat(checkpointNumber(next)).isGreaterThan(checkpointNumber(kept));
        cancel(second);
    }

    @Test
    void theDemoUsesAFreshTemporaryDirectory() {
        LocalState state = LocalState.temporary(FusionConfig.of(Map.of()));
        StreamExecutionEnvironment env = LocalCluster.environment(FusionConfig.of(Map.of()),
                LocalCluster.resolvePort(0), LocalCluster.resolvePort(0), state, new Configuration());
        String dir = env.getConfiguration().get(CheckpointingOptions.CHECKPOINTS_DIRECTORY);
        assertThat(env.getConfiguration().get(CheckpointingOptions.CHECKPOINT_STORAGE))
                .isEqualTo("filesystem");
        assertThat(state.jobId()).isEmpty();
        assertThat(Path.of(URI.create(dir))).isDirectory()
                .startsWith(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath());
    }

    private static JobClient start(FusionConfig config, LocalState state, Configuration settings)
            throws Exception {
        StreamExecutionEnvironment env = LocalCluster.environment(config, LocalCluster.resolvePort(0),
                LocalCluster.resolvePort(0), state, settings);
        // An endless, slow source with state of its own (the sequence's position).
        env.fromSequence(1, Long.MAX_VALUE).map(i -> {
            Thread.sleep(5);
            return i;
        }).returns(Long.class).uid("slow").addSink(new DiscardingSink<>()).uid("discard");
        return env.executeAsync("retention-test");
    }

    /** Waits for a completed checkpoint later than {@code after} (any, if null). */
    private static Snapshot awaitCheckpoint(RetainedState retained, Snapshot after)
            throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Snapshot> latest = retained.latest();
            if (latest.isPresent() && (after == null
                    || checkpointNumber(latest.get()) > checkpointNumber(after))) {
                return latest.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no completed checkpoint in " + retained.jobCheckpointDir()
                + " after " + TIMEOUT);
    }

    /** Cancels the job and waits until it is gone (its local cluster shuts down with it). */
    private static void cancel(JobClient job) throws Exception {
        job.cancel().get(30, TimeUnit.SECONDS);
        assertThatThrownBy(() -> job.getJobExecutionResult().get(TIMEOUT.toMillis(),
                TimeUnit.MILLISECONDS)).as("the result of a cancelled job").isInstanceOf(
                        ExecutionException.class).hasStackTraceContaining("JobCancellationException");
    }

    private static long checkpointNumber(Snapshot s) {
        String name = Path.of(s.location()).getFileName().toString();
        return Long.parseLong(name.substring("chk-".length()));
    }
}
