package dev.fusion.models.manifest;

import java.nio.file.Path;

/** The place a manifest and the artifacts it names live: a directory or a classpath prefix. */
abstract class ArtifactRoot {

    static final String MANIFEST_FILE = "manifest.json";

    /** The artifact with this relative name; the caller has already checked the name is plain. */
    abstract ModelSource resolve(String relativeName);

    /** For messages: the directory, or the classpath prefix. */
    abstract String describe();

    static ArtifactRoot directory(Path dir) {
        Path root = dir.toAbsolutePath().normalize();
        return new ArtifactRoot() {
            @Override
            ModelSource resolve(String relativeName) {
                return new ModelSource.FileSource(root.resolve(relativeName));
            }

            @Override
            String describe() {
                return root.toString();
            }
        };
    }

    static ArtifactRoot classpath(String prefix, ClassLoader loader) {
        return new ArtifactRoot() {
            @Override
            ModelSource resolve(String relativeName) {
                return new ModelSource.ResourceSource(prefix + "/" + relativeName, loader);
            }

            @Override
            String describe() {
                return "classpath:" + prefix + "/";
            }
        };
    }
}
