package dev.fusion.jobs;

import dev.fusion.jobs.config.ConfigException;
import dev.fusion.jobs.config.FusionOptions;
import org.apache.flink.changelog.fs.FsStateChangelogOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.StateChangelogOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.RecoveryClaimMode;

/**
 * What Flink's changelog state backend ({@code job.state-changelog}) needs, checked on the client
 * before the job is submitted, where Flink itself would fail only on the TaskManagers:
 *
 * <ul>
 *   <li>a durable place for the changelog: {@code state.changelog.storage: filesystem} with a
 *       {@code state.changelog.dstl.dfs.base-path}. Flink's default storage, {@code memory}, is
 *       meant for tests; and Flink reads both settings from the TaskManagers' configuration only;
 *   <li>a restore that claims its snapshot: with {@code NO_CLAIM} the first checkpoint must be a
 *       full one, which the changelog backend cannot take, so every checkpoint of the run would
 *       fail.
 * </ul>
 */
final class ChangelogChecks {

    /** The one changelog storage Flink ships that outlives a TaskManager. */
    static final String FILESYSTEM = "filesystem";

    private ChangelogChecks() {
    }

    /** Fails, naming the keys, if {@code flink} enables the changelog where it cannot work. */
    static void check(ReadableConfig flink) {
        if (!flink.get(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG)) {
            return;
        }
        String enabled = FusionOptions.STATE_CHANGELOG.key() + " (Flink's "
                + StateChangelogOptions.ENABLE_STATE_CHANGE_LOG.key() + ")";
        String storage = flink.get(StateChangelogOptions.STATE_CHANGE_LOG_STORAGE);
        if (!FILESYSTEM.equalsIgnoreCase(storage)
                || flink.getOptional(FsStateChangelogOptions.BASE_PATH).isEmpty()) {
            throw new ConfigException(enabled + " needs the changelog stored on a file system: set "
                    + StateChangelogOptions.STATE_CHANGE_LOG_STORAGE.key() + ": " + FILESYSTEM
                    + " and " + FsStateChangelogOptions.BASE_PATH.key() + " in the Flink cluster's"
                    + " configuration, which is where Flink reads them (not from a job); they are "
                    + StateChangelogOptions.STATE_CHANGE_LOG_STORAGE.key() + ": " + storage + " and "
                    + FsStateChangelogOptions.BASE_PATH.key() + ": "
                    + flink.getOptional(FsStateChangelogOptions.BASE_PATH).orElse("(unset)"));
        }
        if (flink.getOptional(StateRecoveryOptions.SAVEPOINT_PATH).isPresent()
                && flink.get(StateRecoveryOptions.RESTORE_MODE) == RecoveryClaimMode.NO_CLAIM) {
            throw new ConfigException(enabled + " cannot restore "
                    + flink.get(StateRecoveryOptions.SAVEPOINT_PATH) + " without claiming it"
                    + " (restore mode NO_CLAIM, as --from and 'flink run -s' restore): Flink's"
                    + " changelog backend cannot take the full first checkpoint that mode needs."
                    + " Restore it once with " + FusionOptions.STATE_CHANGELOG.key() + ": false"
                    + " (later runs resume from the job's own state and may switch it on again),"
                    + " or let the job claim it ('flink run -s PATH --claimMode claim')");
        }
    }
}
