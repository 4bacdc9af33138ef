package dev.fusion.jobs.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Reads a directory as people write it: a file-system URI (s3://, file:///...) or a local path. */
public final class Locations {

    private Locations() {
    }

    /**
     * A URI with a scheme as given; anything else a local path, made absolute ({@code file:}).
     *
     * @throws InvalidPathException if it is neither
     */
    public static URI toUri(String raw) {
        String s = raw.strip();
        try {
            URI uri = new URI(s);
            // A one-letter scheme is a Windows drive, not a file system.
            if (uri.getScheme() != null && uri.getScheme().length() > 1) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // Not a URI: a local path, such as one with spaces.
        }
        return Path.of(s).toAbsolutePath().normalize().toUri();
    }
}
