package dev.fusion.models.manifest;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/** Where the bytes of one artifact come from: a file, or a resource on the classpath. */
public sealed interface ModelSource permits ModelSource.FileSource, ModelSource.ResourceSource {

    /** Opens the artifact; the caller closes the stream. */
    InputStream open() throws IOException;

    /** True when the artifact is there to be opened. */
    boolean exists();

    /** The file, when the artifact is one (ONNX Runtime can then map it instead of copying it). */
    Optional<Path> path();

    /** A human-readable location for messages and logs. */
    String describe();

    /** An artifact in a directory on disk. */
    record FileSource(Path file) implements ModelSource {

        public FileSource {
            Objects.requireNonNull(file, "file");
        }

        @Override
        public InputStream open() throws IOException {
            return Files.newInputStream(file);
        }

        @Override
        public boolean exists() {
            return Files.isRegularFile(file);
        }

        @Override
        public Optional<Path> path() {
            return Optional.of(file);
        }

        @Override
        public String describe() {
            return file.toString();
        }
    }

    /** An artifact bundled in a jar, e.g. {@code fusion-models/audio_routing.onnx}. */
    record ResourceSource(String resource, ClassLoader loader) implements ModelSource {

        public ResourceSource {
            Objects.requireNonNull(resource, "resource");
            Objects.requireNonNull(loader, "loader");
        }

        @Override
        public InputStream open() throws IOException {
            InputStream in = loader.getResourceAsStream(resource);
            if (in == null) {
                throw new FileNotFoundException("classpath resource " + resource + " not found");
            }
            return in;
        }

        @Override
        public boolean exists() {
            return loader.getResource(resource) != null;
        }

        @Override
        public Optional<Path> path() {
            return Optional.empty();
        }

        @Override
        public String describe() {
            return "classpath:" + resource;
        }
    }
}
