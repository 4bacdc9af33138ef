package dev.fusion.jobs.lifecycle;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.RecoveryClaimMode;

/**
 * How a local run starts: from the snapshot the user named ({@code --from}), from its own latest
 * retained snapshot (the default), or fresh. Starting fresh over retained state is only done when
 * asked for ({@code --fresh}); the retained state is then moved aside, never deleted, and the
 * announcement says what that may lose.
 *
 * @param restoreFrom the snapshot to restore, if any
 * @param claimMode who owns the restored snapshot: the job (CLAIM: its own retained state, which it
 *     may delete once a newer checkpoint subsumes it) or the user (NO_CLAIM: a {@code --from} path)
 * @param announcements what to tell the person who started the run, in order
 */
public record StartPlan(Optional<URI> restoreFrom, RecoveryClaimMode claimMode,
        List<String> announcements) {

    /**
     * Decides where a run starts.
     *
     * @param from a snapshot path the user named, or null
     * @param fresh whether the user asked to start without state
     */
    public static StartPlan decide(RetainedState state, String from, boolean fresh, Instant now) {
        if (from != null && fresh) {
            throw new IllegalArgumentException("--from and --fresh exclude each other: --from resumes"
                    + " from a snapshot, --fresh starts without one");
        }
        List<String> say = new ArrayList<>();
        if (from != null) {
            URI uri = SnapshotPaths.toUri(from);
            say.add("resuming from " + Snapshot.display(uri) + " (--from; the snapshot stays yours: it is not deleted)");
            return new StartPlan(Optional.of(uri), RecoveryClaimMode.NO_CLAIM, say);
        }
        Optional<Snapshot> latest = state.latest();
        if (latest.isPresent() && !fresh) {
            say.add("resuming from the latest retained " + latest.get().describe());
            return new StartPlan(Optional.of(latest.get().location()), RecoveryClaimMode.CLAIM, say);
        }
        if (latest.isPresent()) {
            List<URI> moved = state.moveAside(now);
            say.add("STARTING FRESH (--fresh) although retained state exists: the latest was "
                    + latest.get().describe() + ".");
            say.add("It was moved aside, not deleted: " + moved.stream().map(Snapshot::display).toList()
                    + ". Records that state still held"
                    + " (open windows and pending fusions, up to align.window plus"
                    + " align.allowed-lateness of input before the consumer group's committed"
                    + " offsets) will never be fused, dead-lettered or dropped. Resume from it with"
                    + " --from <path> instead if that is not what you want.");
        } else if (fresh) {
            say.add("starting fresh (--fresh); there was no retained state in "
                    + Snapshot.display(state.jobCheckpointDir().toUri()));
        } else {
            say.add("no retained state of this job in " + Snapshot.display(state.jobCheckpointDir().toUri())
                    + ": starting fresh");
        }
        return new StartPlan(Optional.empty(), RecoveryClaimMode.DEFAULT, say);
    }

    /** Flink's settings for this plan: the path to restore and its claim mode, if any. */
    public Configuration flinkSettings() {
        Configuration conf = new Configuration();
        restoreFrom.ifPresent(uri -> {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, uri.toString());
            conf.set(StateRecoveryOptions.RESTORE_MODE, claimMode);
        });
        return conf;
    }
}
