package dev.fusion.jobs.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding a job's latest retained snapshot among checkpoints and savepoints, and moving it aside. */
class RetainedStateTest {

    private static final JobID JOB = JobIdentity.of("retained-state-test");
    private static final JobID OTHER = JobIdentity.of("another-job");

    @TempDir
    Path root;
    Path checkpoints;
    Path savepoints;
    RetainedState state;

    @BeforeEach
    void layout() {
        checkpoints = root.resolve("checkpoints");
        savepoints = root.resolve("savepoints");
        state = new RetainedState(checkpoints.toUri(), savepoints.toUri(), JOB);
    }

    @Test
    void nothingRetainedWhereNothingWasWritten() {
        assertThat(state.latest()).isEmpty();
        assertThat(state.snapshots()).isEmpty();
    }

    @Test
    void theLatestCompletedSnapshotWinsWhateverItsKind() throws IOException {
        Path chk3 = snapshot(checkpoints.resolve(JOB.toHexString()).resolve("chk-3"), 1000);
        Path chk4 = snapshot(checkpoints.resolve(JOB.toHexString()).resolve("chk-4"), 2000);
        assertThat(state.latest()).map(RetainedStateTest::path).contains(chk4);

        Path savepoint = snapshot(savepoints.resolve(savepointName(JOB, "a1b2c3")), 3000);
        assertThat(state.latest()).hasValueSatisfying(s -> {
            assertThat(path(s)).isEqualTo(savepoint);
            assertThat(s.kind()).isEqualTo(Snapshot.Kind.SAVEPOINT);
            assertThat(s.completedAt()).isEqualTo(Instant.ofEpochMilli(3000));
        });
        assertThat(state.snapshots()).map(RetainedStateTest::path).containsExactly(chk3, chk4, savepoint);
    }

    @Test
    void interruptedCheckpointsAndOtherJobsStateAreIgnored() throws IOException {
        Path done = snapshot(checkpoints.resolve(JOB.toHexString()).resolve("chk-7"), 1000);
        // A crash while checkpoint 8 was written: no metadata, or an empty one.
        Files.createDirectories(checkpoints.resolve(JOB.toHexString()).resolve("chk-8"));
        Path empty = checkpoints.resolve(JOB.toHexString()).resolve("chk-9");
        Files.createDirectories(empty);
        Files.createFile(empty.resolve("_metadata"));
        Files.createDirectories(checkpoints.resolve(JOB.toHexString()).resolve("shared"));
        snapshot(checkpoints.resolve(OTHER.toHexString()).resolve("chk-20"), 5000);
        snapshot(savepoints.resolve(savepointName(OTHER, "ffffff")), 6000);

        assertThat(state.snapshots()).map(RetainedStateTest::path).containsExactly(done);
    }

    @Test
    void movingAsideLeavesNothingToResumeAndDeletesNothing() throws IOException {
        Path jobDir = checkpoints.resolve(JOB.toHexString());
        snapshot(jobDir.resolve("chk-2"), 1000);
        Path savepoint = snapshot(savepoints.resolve(savepointName(JOB, "0a0b0c")), 2000);
        Path foreign = snapshot(savepoints.resolve(savepointName(OTHER, "0d0e0f")), 3000);

        List<java.net.URI> moved = state.moveAside(Instant.ofEpochMilli(42));

        assertThat(state.latest()).isEmpty();
        assertThat(moved).map(u -> Path.of(u).getFileName().toString()).containsExactlyInAnyOrder(
                "replaced-42-" + JOB.toHexString(), "replaced-42-" + savepoint.getFileName());
        assertThat(checkpoints.resolve("replaced-42-" + JOB.toHexString()).resolve("chk-2")
                .resolve("_metadata")).isRegularFile();
        assertThat(jobDir).doesNotExist();
        assertThat(foreign.resolve("_metadata")).isRegularFile();
    }

    @Test
    void checkpointsARunningJobSubsumesWhileTheyAreListedAreLeftOut() throws Exception {
        Path jobDir = checkpoints.resolve(JOB.toHexString());
        Path kept = snapshot(jobDir.resolve("chk-1"), 1000);
        AtomicBoolean running = new AtomicBoolean(true);
        Thread job = new Thread(() -> {
            // What a running job does: write checkpoint n, delete the one it subsumes.
            for (int n = 2; running.get(); n++) {
                try {
                    snapshot(jobDir.resolve("chk-" + n), 2000);
                    deleteTree(jobDir.resolve("chk-" + n));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
        job.start();
        try {
            long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            int listings = 0;
            while (System.nanoTime() < until) {
                assertThat(state.snapshots()).map(RetainedStateTest::path).contains(kept);
                listings++;
            }
            assertThat(listings).isPositive();
        } finally {
            running.set(false);
            job.join();
        }
    }

    /** Flink names a savepoint directory after the first six hex digits of its job id. */
    static String savepointName(JobID job, String random) {
        return "savepoint-" + job.toHexString().substring(0, 6) + "-" + random + "deadbeef";
    }

    static Path path(Snapshot s) {
        return Path.of(s.location());
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    static Path snapshot(Path dir, long completedAtMillis) throws IOException {
        Files.createDirectories(dir);
        Path metadata = Files.write(dir.resolve("_metadata"), new byte[] {1, 2, 3});
        Files.setLastModifiedTime(metadata, FileTime.fromMillis(completedAtMillis));
        return dir;
    }
}
