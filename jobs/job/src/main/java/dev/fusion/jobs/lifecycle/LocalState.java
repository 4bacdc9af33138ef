package dev.fusion.jobs.lifecycle;

import dev.fusion.jobs.FusionEnvironment;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptionsInternal;

/**
 * Where a local run ({@code ./fusion run}, the demo) keeps its checkpoints and savepoints, and
 * under which job id.
 *
 * @param checkpointDir the checkpoint directory; the job's own lies under it, by job id
 * @param savepointDir where savepoints go
 * @param jobId the fixed job id that lets the next run find this one's state; empty for a run
 *     whose state is thrown away (the demo)
 */
public record LocalState(URI checkpointDir, URI savepointDir, Optional<JobID> jobId) {

    /**
     * Durable state for {@code ./fusion run}: {@code job.checkpoint-dir}, or
     * {@code $XDG_STATE_HOME/fusion/checkpoints}; savepoints in {@code job.savepoint-dir} or
     * beside the checkpoints; the job id fixed by {@code job.name}.
     */
    public static LocalState durable(FusionConfig config) {
        URI checkpoints = config.checkpointDirectory().orElseGet(LocalState::defaultCheckpointDir);
        URI savepoints = config.savepointDirectory().orElseGet(() -> child(checkpoints, "savepoints"));
        return new LocalState(checkpoints, savepoints,
                Optional.of(JobIdentity.of(config.get(FusionOptions.JOB_NAME))));
    }

    /**
     * State that lives as long as this JVM (the demo, whose broker and topics die with it too):
     * a temporary directory removed at exit, unless {@code job.checkpoint-dir} names one.
     */
    public static LocalState temporary(FusionConfig config) {
        URI checkpoints = config.checkpointDirectory().orElseGet(LocalState::temporaryDirectory);
        return new LocalState(checkpoints, config.savepointDirectory()
                .orElseGet(() -> child(checkpoints, "savepoints")), Optional.empty());
    }

    /** The retained state of this run's job; only for durable state. */
    public RetainedState retained() {
        return new RetainedState(checkpointDir, savepointDir, jobId.orElseThrow(
                () -> new IllegalStateException("a temporary local state has no retained state")));
    }

    /** Flink's settings: checkpoint storage, savepoint directory and, if fixed, the job id. */
    public Configuration flinkSettings() {
        Configuration conf = FusionEnvironment.checkpointStorage(checkpointDir);
        conf.addAll(FusionEnvironment.savepointDirectory(savepointDir));
        jobId.ifPresent(id -> conf.set(PipelineOptionsInternal.PIPELINE_FIXED_JOB_ID, id.toHexString()));
        return conf;
    }

    private static URI child(URI dir, String name) {
        return URI.create(dir.toString().replaceAll("/+$", "") + "/" + name);
    }

    /** {@code $XDG_STATE_HOME/fusion/checkpoints}, {@code ~/.local/state/fusion/checkpoints} by default. */
    static URI defaultCheckpointDir() {
        String xdg = System.getenv("XDG_STATE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".local", "state");
        return base.resolve("fusion").resolve("checkpoints").toAbsolutePath().toUri();
    }

    private static URI temporaryDirectory() {
        try {
            Path dir = Files.createTempDirectory("fusion-checkpoints-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteRecursively(dir),
                    "checkpoint-cleanup"));
            return dir.toUri();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary checkpoint directory in "
                    + System.getProperty("java.io.tmpdir") + "; set " + FusionOptions.CHECKPOINT_DIR.key(), e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // Best effort at exit: a leftover temporary directory is harmless.
        }
    }
}
