package dev.fusion.jobs.lifecycle;

import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;

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

    /** One line for a person: "checkpoint chk-12 (completed ...) at /var/..." */
    public String describe() {
        String path = location.getPath();
        String name = path.substring(path.lastIndexOf('/', path.length() - 2) + 1).replace("/", "");
        return kind.name().toLowerCase(Locale.ROOT) + " " + name + " (completed " + completedAt
                + ") at " + display(location);
    }

    /** A location as people type it: a plain path for local files, else the URI. */
    public static String display(URI location) {
        if ("file".equals(location.getScheme())) {
            return Path.of(location).toString();
        }
        return location.toString();
    }
}
