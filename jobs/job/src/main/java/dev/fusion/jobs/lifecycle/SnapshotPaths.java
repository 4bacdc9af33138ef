package dev.fusion.jobs.lifecycle;

import dev.fusion.jobs.config.Locations;
import java.net.URI;
import java.nio.file.Path;

/** Turns what a user types for a snapshot (a path, a {@code _metadata} file, a URI) into a URI. */
final class SnapshotPaths {

    private SnapshotPaths() {
    }

    static URI toUri(String raw) {
        String s = raw.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("--from needs a savepoint or checkpoint path");
        }
        URI uri = Locations.toUri(s);
        if (!"file".equals(uri.getScheme())) {
            return uri;
        }
        Path path = Path.of(uri);
        if (!path.toFile().exists()) {
            throw new IllegalArgumentException("--from " + raw + ": no such savepoint or checkpoint ("
                    + path + " does not exist)");
        }
        return path.toUri();
    }
}
