package dev.fusion.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.jobs.config.FusionConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.legacy.DiscardingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local cluster of {@code run} and the demo stores checkpoints on the file system, never in
 * Flink's in-memory storage (which refuses state above 5 MB).
 */
class LocalClusterCheckpointITCase {

    @Test
    void checkpointsGoToTheConfiguredDirectory(@TempDir Path dir) throws Exception {
        FusionConfig config = FusionConfig.of(Map.of("job.checkpoint-dir", dir.toString(),
                "job.checkpoint-interval", "100 ms", "job.parallelism", "1"));
        StreamExecutionEnvironment env = LocalCluster.environment(config, LocalCluster.resolvePort(0));
        env.fromSequence(1, 30).map(i -> {
            Thread.sleep(100);
            return i;
        }).returns(Long.class).addSink(new DiscardingSink<>());

        JobExecutionResult result = env.execute("checkpoint-dir");

        Path jobDir = dir.resolve(result.getJobID().toHexString());
        assertThat(jobDir).isDirectory();
        try (Stream<Path> entries = Files.list(jobDir)) {
            List<String> names = entries.map(p -> p.getFileName().toString()).toList();
            assertThat(names).as("completed checkpoints in " + jobDir)
                    .anyMatch(name -> name.startsWith("chk-"));
        }
    }

    @Test
    void withoutADirectoryALocalRunUsesAFreshTemporaryOne() {
        FusionConfig config = FusionConfig.of(Map.of());
        StreamExecutionEnvironment env = LocalCluster.environment(config, LocalCluster.resolvePort(0));
        String dir = env.getConfiguration().get(CheckpointingOptions.CHECKPOINTS_DIRECTORY);
        assertThat(env.getConfiguration().get(CheckpointingOptions.CHECKPOINT_STORAGE))
                .isEqualTo("filesystem");
        assertThat(Path.of(java.net.URI.create(dir))).isDirectory()
                .startsWith(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath());
    }
}
