package dev.fusion.bench.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointLogTest {

    private static String completed(int id, String job, long bytes, long millis) {
        return "05:01:02.345 INFO  CheckpointCoordinator - Completed checkpoint " + id + " for job "
                + job + " (" + bytes + " bytes, checkpointDuration=" + millis
                + " ms, finalizationTime=1 ms).";
    }

    @Test
    void readsTheCheckpointsOfTheLastJobInTheLog(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("run.log");
        Files.write(log, List.of(
                completed(1, "aaaa1111", 9_000_000, 900), // the warm-up job
                "05:01:03.000 INFO  SessionFactory - model 'text-routing' (1.0.0): session",
                completed(1, "bbbb2222", 1000, 30),
                completed(2, "bbbb2222", 5000, 70),
                completed(3, "bbbb2222", 3000, 50)));

        assertThat(CheckpointLog.read(log)).isEqualTo(new CheckpointLog(3, 50, 70, 5000));
    }

    @Test
    void aLogWithoutCheckpointsHasNone(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("run.log");
        Files.writeString(log, "05:01:03.000 WARN  Something - not a checkpoint\n");

        assertThat(CheckpointLog.read(log)).isEqualTo(CheckpointLog.NONE);
        assertThat(CheckpointLog.read(dir.resolve("missing.log"))).isEqualTo(CheckpointLog.NONE);
    }
}
