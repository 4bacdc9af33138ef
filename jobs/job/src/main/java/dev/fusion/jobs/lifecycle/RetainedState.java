package dev.fusion.jobs.lifecycle;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * The state one job has left behind: its retained checkpoints under
 * {@code <checkpoint-dir>/<job id>/chk-N} and its savepoints under
 * {@code <savepoint-dir>/savepoint-<first six hex digits of the job id>-...}. Only snapshots whose
 * {@code _metadata} was written count: a checkpoint a crash interrupted has none.
 *
 * <p>Works on any file system Flink can reach (local paths, and s3/hdfs where their plugins are
 * installed).
 */
public final class RetainedState {

    static final String METADATA = "_metadata";
    static final String SAVEPOINT_PREFIX = "savepoint-";
    static final String CHECKPOINT_PREFIX = "chk-";
    private static final int LISTING_ATTEMPTS = 10;

    private final URI checkpointDir;
    private final URI savepointDir;
    private final JobID jobId;

    public RetainedState(URI checkpointDir, URI savepointDir, JobID jobId) {
        this.checkpointDir = checkpointDir;
        this.savepointDir = savepointDir;
        this.jobId = jobId;
    }

    /** The directory of this job's checkpoints. */
    public Path jobCheckpointDir() {
        return new Path(new Path(checkpointDir), jobId.toHexString());
    }

    /** Every completed snapshot of this job, oldest first. */
    public List<Snapshot> snapshots() {
        List<Snapshot> found = new ArrayList<>();
        collect(jobCheckpointDir(), CHECKPOINT_PREFIX, Snapshot.Kind.CHECKPOINT, found);
        if (savepointDir != null) {
            String prefix = SAVEPOINT_PREFIX + jobId.toHexString().substring(0, 6) + "-";
            collect(new Path(savepointDir), prefix, Snapshot.Kind.SAVEPOINT, found);
        }
        found.sort(Comparator.comparing(Snapshot::completedAt));
        return found;
    }

    /** The snapshot with the latest state, if there is one. */
    public Optional<Snapshot> latest() {
        List<Snapshot> all = snapshots();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /**
     * Moves every snapshot of this job aside, to a name no later run resumes from
     * ({@code replaced-<millis>-<name>}), and returns where each went.
     */
    public List<URI> moveAside(Instant now) {
        List<URI> moved = new ArrayList<>();
        String prefix = "replaced-" + now.toEpochMilli() + "-";
        Path jobDir = jobCheckpointDir();
        if (exists(jobDir)) {
            moved.add(rename(jobDir, new Path(jobDir.getParent(), prefix + jobDir.getName())));
        }
        for (Snapshot s : snapshots()) {
            if (s.kind() == Snapshot.Kind.SAVEPOINT) {
                Path dir = new Path(s.location());
                moved.add(rename(dir, new Path(dir.getParent(), prefix + dir.getName())));
            }
        }
        return moved;
    }

    private static void collect(Path parent, String prefix, Snapshot.Kind kind, List<Snapshot> out) {
        try {
            FileSystem fs = parent.getFileSystem();
            for (FileStatus child : listChildren(fs, parent)) {
                if (!child.isDir() || !child.getPath().getName().startsWith(prefix)) {
                    continue;
                }
                completedAt(fs, new Path(child.getPath(), METADATA)).ifPresent(at ->
                        out.add(new Snapshot(child.getPath().toUri(), kind, at)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list retained state in " + parent, e);
        }
    }

    /**
     * The children of a directory a running job may be changing: a checkpoint it subsumes is
     * deleted while it is listed, which some file systems report as the listing failing. Such a
     * listing is taken again; a directory that is itself gone has no children.
     */
    private static FileStatus[] listChildren(FileSystem fs, Path dir) throws IOException {
        for (int attempt = 1; ; attempt++) {
            if (!fs.exists(dir)) {
                return new FileStatus[0];
            }
            try {
                FileStatus[] children = fs.listStatus(dir);
                return children == null ? new FileStatus[0] : children;
            } catch (FileNotFoundException childGone) {
                if (attempt == LISTING_ATTEMPTS) {
                    throw childGone;
                }
            }
        }
    }

    /** When a snapshot's metadata was completed; empty if it was never written, or is gone. */
    private static Optional<Instant> completedAt(FileSystem fs, Path metadata) throws IOException {
        try {
            FileStatus status = fs.getFileStatus(metadata);
            return status.getLen() > 0
                    ? Optional.of(Instant.ofEpochMilli(status.getModificationTime()))
                    : Optional.empty();
        } catch (FileNotFoundException notWrittenOrSubsumed) {
            return Optional.empty();
        }
    }

    private static boolean exists(Path path) {
        try {
            return path.getFileSystem().exists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    private static URI rename(Path from, Path to) {
        try {
            if (!from.getFileSystem().rename(from, to)) {
                throw new IOException("rename returned false");
            }
            return to.toUri();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move retained state " + from + " aside to " + to, e);
        }
    }
}
