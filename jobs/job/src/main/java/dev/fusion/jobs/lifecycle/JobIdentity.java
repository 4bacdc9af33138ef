package dev.fusion.jobs.lifecycle;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.apache.flink.api.common.JobID;

/**
 * The fixed Flink job id of a job name. Checkpoints live under {@code <checkpoint-dir>/<job id>/},
 * so a run that uses the same id as the run before finds that run's retained state (the way the
 * Flink Kubernetes Operator's last-state upgrades find theirs).
 */
public final class JobIdentity {

    private JobIdentity() {
    }

    /** The same id for the same name, on every machine and in every version of the project. */
    public static JobID of(String jobName) {
        if (jobName == null || jobName.isBlank()) {
            throw new IllegalArgumentException("job.name must not be empty: it names the job's state");
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("dev.fusion.job/" + jobName.strip()).getBytes(StandardCharsets.UTF_8));
            byte[] id = new byte[16];
            System.arraycopy(digest, 0, id, 0, id.length);
            return new JobID(id);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
