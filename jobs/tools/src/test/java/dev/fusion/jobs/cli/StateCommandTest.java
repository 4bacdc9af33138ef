package dev.fusion.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusion.jobs.lifecycle.JobIdentity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./fusion state}: what a job left behind, and the one snapshot to resume from. */
class StateCommandTest {

    @TempDir
    Path dir;

    @Test
    void listsTheJobsSnapshotsAndPrintsTheLatestForScripts() throws IOException {
        String job = JobIdentity.of("state-test").toHexString();
        Path older = snapshot(dir.resolve(job).resolve("chk-3"), 1000);
        Path newer = snapshot(dir.resolve("savepoints").resolve("savepoint-" + job.substring(0, 6) + "-0123"), 2000);

        String listing = run("--set", "job.checkpoint-dir=" + dir, "--set", "job.name=state-test");
        assertThat(listing).contains("retained state of job " + job)
                .contains("checkpoint chk-3 (completed 1970-01-01T00:00:01Z) at " + older)
                .contains("savepoint savepoint-" + job.substring(0, 6) + "-0123 (completed"
                        + " 1970-01-01T00:00:02Z) at " + newer);
        assertThat(listing.indexOf("chk-3")).isLessThan(listing.indexOf("savepoint-"));

        assertThat(run("--set", "job.checkpoint-dir=" + dir, "--set", "job.name=state-test", "--latest"))
                .isEqualTo(newer + "\n");
    }

    @Test
    void anyJobIdCanBeAskedForAndNothingRetainedIsSaid() throws IOException {
        String other = JobIdentity.of("a-cluster-job").toHexString();
        Path chk = snapshot(dir.resolve(other).resolve("chk-9"), 1000);

        assertThat(run("--set", "job.checkpoint-dir=" + dir, "--job-id", other, "--latest"))
                .isEqualTo(chk + "\n");
        assertThat(run("--set", "job.checkpoint-dir=" + dir)).contains("  none");
        assertThatThrownBy(() -> run("--set", "job.checkpoint-dir=" + dir, "--latest"))
                .hasMessageStartingWith("no retained checkpoint or savepoint in " + dir);
        assertThatThrownBy(() -> run("--job-id", "xyz")).hasMessageContaining("32 hex digits");
    }

    private static String run(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateCommand.run(args, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static Path snapshot(Path snapshotDir, long millis) throws IOException {
        Files.createDirectories(snapshotDir);
        Files.setLastModifiedTime(Files.write(snapshotDir.resolve("_metadata"), new byte[] {1}),
                FileTime.fromMillis(millis));
        return snapshotDir;
    }
}
