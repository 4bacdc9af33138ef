package dev.fusion.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The shaded job jars that {@code flink run} submits, where the jobs module's build wrote them. */
final class JobJars {

    private static final Path TARGET = Path.of("..", "jobs", "job", "target");

    private JobJars() {
    }

    /** The job with everything a cluster lacks, ONNX Runtime included: the README's jar. */
    static Path full() {
        return find("fusion-job-*-flink-job.jar");
    }

    /** The same without ONNX Runtime, for a cluster that has it in {@code lib/}. */
    static Path withoutOnnxRuntime() {
        return find("fusion-job-*-flink-job-lib-ort.jar");
    }

    private static Path find(String glob) {
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(TARGET, glob)) {
            for (Path p : jars) {
                return p.toAbsolutePath().normalize();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException(TARGET.resolve(glob) + " is missing; run mvn package");
    }
}
