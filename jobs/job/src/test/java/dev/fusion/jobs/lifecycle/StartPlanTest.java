package dev.fusion.jobs.lifecycle;

import static dev.fusion.jobs.lifecycle.RetainedStateTest.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.RecoveryClaimMode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a local run starts: resumed by default, from a named snapshot, or fresh when asked. */
class StartPlanTest {

    private static final JobID JOB = JobIdentity.of("start-plan-test");
    private static final Instant NOW = Instant.ofEpochMilli(1_000_000);

    @TempDir
    Path root;
    RetainedState state;
    Path jobDir;

    @BeforeEach
    void layout() {
        state = new RetainedState(root.resolve("checkpoints").toUri(), root.resolve("savepoints").toUri(),
                JOB);
        jobDir = root.resolve("checkpoints").resolve(JOB.toHexString());
    }

    @Test
    void resumesFromTheLatestRetainedSnapshotByDefaultAndSaysFromWhich() throws IOException {
        Path chk = snapshot(jobDir.resolve("chk-5"), 1000);

        StartPlan plan = StartPlan.decide(state, null, false, NOW);

        assertThat(plan.restoreFrom()).map(Path::of).contains(chk);
        assertThat(plan.claimMode()).isEqualTo(RecoveryClaimMode.CLAIM);
        assertThat(plan.announcements()).singleElement().asString()
                .startsWith("resuming from the latest retained checkpoint chk-5").contains(chk.toString());
        assertThat(Path.of(URI.create(plan.flinkSettings().get(StateRecoveryOptions.SAVEPOINT_PATH))))
                .isEqualTo(chk);
        assertThat(plan.flinkSettings().get(StateRecoveryOptions.RESTORE_MODE)).isEqualTo(RecoveryClaimMode.CLAIM);
    }

    @Test
    void aNamedSnapshotIsRestoredWithoutClaimingIt() throws IOException {
        snapshot(jobDir.resolve("chk-5"), 1000);
        Path mine = snapshot(root.resolve("elsewhere").resolve("savepoint-abc"), 500);

        StartPlan plan = StartPlan.decide(state, mine.toString(), false, NOW);

        assertThat(plan.restoreFrom()).map(Path::of).contains(mine);
        assertThat(plan.claimMode()).isEqualTo(RecoveryClaimMode.NO_CLAIM);
        assertThat(plan.announcements()).singleElement().asString().contains("--from");
    }

    @Test
    void freshOverRetainedStateMovesItAsideAndSaysWhatMayBeLost() throws IOException {
        snapshot(jobDir.resolve("chk-5"), 1000);

        StartPlan plan = StartPlan.decide(state, null, true, NOW);

        assertThat(plan.restoreFrom()).isEmpty();
        assertThat(plan.flinkSettings().toMap()).isEmpty();
        assertThat(state.latest()).isEmpty();
        assertThat(jobDir).doesNotExist();
        assertThat(root.resolve("checkpoints").resolve("replaced-1000000-" + JOB.toHexString())).isDirectory();
        assertThat(String.join("\n", plan.announcements())).contains("STARTING FRESH")
                .contains("chk-5").contains("never be fused").contains("--from");
    }

    @Test
    void withoutRetainedStateARunStartsFresh() {
        StartPlan plan = StartPlan.decide(state, null, false, NOW);

        assertThat(plan.restoreFrom()).isEmpty();
        assertThat(plan.announcements()).singleElement().asString().contains("no retained state");
    }

    @Test
    void fromAndFreshExcludeEachOtherAndAMissingPathIsNamed() {
        assertThatThrownBy(() -> StartPlan.decide(state, "/x", true, NOW))
                .hasMessageContaining("--from and --fresh");
        assertThatThrownBy(() -> StartPlan.decide(state, root.resolve("nope").toString(), false, NOW))
                .hasMessageContaining("--from").hasMessageContaining("does not exist");
    }
}
