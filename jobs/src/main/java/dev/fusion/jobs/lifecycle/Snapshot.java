package dev.fusion.jobs.lifecycle;

import java.net.URI;
import java.time.Instant;

/**
 * A retained checkpoint or savepoint a job can resume from.
 *
 * @param location the snapshot's directory (the one holding {@code _metadata})
 * @param kind checkpoint or savepoint
 * @param completedAt when its metadata was written: the later snapshot holds the later state
 */
public record Snapshot(URI location, Kind kind, Instant completedAt) {

    /** What took the snapshot: a periodic checkpoint or a savepoint (a stop, or on request). */
    public enum Kind { CHECKPOINT, SAVEPOINT }

    /** One line for a person: "checkpoint chk-12 (completed ...): file:/..." */
    public String describe() {
        String path = location.getPath();
        String name = path.substring(path.lastIndexOf('/', path.length() - 2) + 1).replace("/", "");
        return kind.name().toLowerCase(java.util.Locale.ROOT) + " " + name + " (completed "
                + completedAt + ") at " + location;
    }
}
