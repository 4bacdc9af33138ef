package dev.fusion.jobs.cli;

import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.lifecycle.LocalState;
import dev.fusion.jobs.lifecycle.RetainedState;
import dev.fusion.jobs.lifecycle.Snapshot;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.JobID;

/**
 * {@code state}: the retained checkpoints and savepoints of a job, oldest first, or with
 * {@code --latest} just the path to resume from ({@code flink run -s "$(./fusion state --latest
 * ...)"}). The job is {@code ./fusion run}'s (its id fixed by {@code job.name}) or, with
 * {@code --job-id}, any job that wrote to the checkpoint directory, such as one on a cluster.
 */
final class StateCommand {

    static final Set<String> OPTIONS = Set.of("config", "job-id");
    static final Set<String> FLAGS = Set.of("latest");

    private StateCommand() {
    }

    static void run(String[] argv, PrintStream out) {
        Args args = Args.parse("state", argv, OPTIONS, FLAGS);
        FusionConfig config = CliConfig.load(args);
        LocalState local = LocalState.durable(config);
        String jobId = args.get("job-id", null);
        RetainedState state = jobId == null ? local.retained()
                : new RetainedState(local.checkpointDir(), local.savepointDir(), parse(jobId));
        List<Snapshot> snapshots = state.snapshots();
        if (args.flag("latest")) {
            if (snapshots.isEmpty()) {
                throw new Args.UsageException("no retained checkpoint or savepoint in "
                        + Snapshot.display(state.jobCheckpointDir().toUri()) + " or "
                        + Snapshot.display(local.savepointDir()));
            }
            out.println(Snapshot.display(snapshots.get(snapshots.size() - 1).location()));
            return;
        }
        out.println("retained state of job " + (jobId == null ? local.jobId().orElseThrow() : jobId)
                + " (checkpoints in " + Snapshot.display(state.jobCheckpointDir().toUri())
                + ", savepoints in " + Snapshot.display(local.savepointDir()) + "):");
        if (snapshots.isEmpty()) {
            out.println("  none");
        }
        snapshots.forEach(s -> out.println("  " + s.describe()));
    }

    private static JobID parse(String hex) {
        try {
            return JobID.fromHexString(hex.strip());
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("state: --job-id takes a Flink job id (32 hex digits), got '"
                    + hex + "'");
        }
    }
}
