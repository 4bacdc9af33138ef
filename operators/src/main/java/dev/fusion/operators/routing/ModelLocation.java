package dev.fusion.operators.routing;

import dev.fusion.models.manifest.ModelManifest;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the models live: a directory with {@code manifest.json}, or the models bundled in the
 * jar. Serializable, so operators carry it to the TaskManagers; the manifest itself is loaded
 * and validated once per JVM and location.
 */
public final class ModelLocation implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final String BUNDLED = "<bundled>";
    private static final Map<String, ModelManifest> LOADED = new ConcurrentHashMap<>();

    private final String dir;

    private ModelLocation(String dir) {
        this.dir = dir;
    }

    /** The models bundled in the jar. */
    public static ModelLocation bundled() {
        return new ModelLocation(null);
    }

    /** The models in {@code dir}; blank means bundled. */
    public static ModelLocation of(String dir) {
        return dir == null || dir.isBlank() ? bundled() : new ModelLocation(dir);
    }

    /** The validated manifest (loaded on first use in this JVM). */
    public ModelManifest manifest() {
        String key = dir == null ? BUNDLED : Path.of(dir).toAbsolutePath().normalize().toString();
        return LOADED.computeIfAbsent(key,
                k -> dir == null ? ModelManifest.loadBundled() : ModelManifest.load(Path.of(dir)));
    }

    @Override
    public String toString() {
        return dir == null ? "bundled models" : "models in " + dir;
    }
}
