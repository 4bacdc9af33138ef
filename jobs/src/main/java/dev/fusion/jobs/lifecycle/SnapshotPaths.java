package dev.fusion.jobs.lifecycle;

import java.net.URI;
import java.net.URISyntaxException;
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
        try {
            URI uri = new URI(s);
            // A one-letter scheme is a Windows drive, not a file system.
            if (uri.getScheme() != null && uri.getScheme().length() > 1) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // Not a URI: a local path, such as one with spaces.
        }
        Path path = Path.of(s).toAbsolutePath().normalize();
        if (!path.toFile().exists()) {
            throw new IllegalArgumentException("--from " + raw + ": no such savepoint or checkpoint ("
                    + path + " does not exist)");
        }
        return path.toUri();
    }
}
