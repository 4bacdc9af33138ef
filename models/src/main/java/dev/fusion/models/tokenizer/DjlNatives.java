package dev.fusion.models.tokenizer;

import ai.djl.huggingface.tokenizers.jni.LibUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads DJL's HuggingFace tokenizers library from the jar, never from the network, once per class
 * loader.
 *
 * <p>The tokenizers jar carries {@code libtokenizers.so} for CPU only. Left alone, DJL asks CUDA
 * for a GPU (through JNA) and on a machine with one picks a CUDA flavour it then downloads from
 * {@code publish.djl.ai}; it also looks up EC2 metadata and sends telemetry once a day. Offline
 * mode and the CPU flavour turn all three off. Each is set as a system property only when neither
 * the environment variable nor the property is set, so a user's value always wins (each default
 * set here is logged).
 *
 * <p>DJL copies the library to a fixed file under its cache directory and loads it from there;
 * but the JVM lets one class loader only load a given file, and every job on a Flink TaskManager
 * (and the next version of a job, while the old one's class loader lingers) has its own. So,
 * unless the user set a cache directory, each class loader's copy goes to a new directory under
 * {@code ${java.io.tmpdir}/fusion-djl-${user.name}}, which is removed once the library is loaded
 * (on Linux the loaded library stays mapped). DJL reads its settings when its native library is
 * first loaded, so that happens here, under a lock that all class loaders share.
 */
final class DjlNatives {

    static final String OFFLINE = "ai.djl.offline";
    static final String OFFLINE_ENV = "DJL_OFFLINE";
    static final String FLAVOR = "RUST_FLAVOR";
    static final String TRACKING = "OPT_OUT_TRACKING";
    static final String CACHE_DIR = "ENGINE_CACHE_DIR";
    static final String DJL_CACHE_DIR = "DJL_CACHE_DIR";

    /** A string literal is interned once per JVM: the same monitor in every class loader. */
    private static final Object JVM_WIDE_LOCK = "dev.fusion.models.tokenizer.DjlNatives";
    private static final Logger LOG = LoggerFactory.getLogger(DjlNatives.class);
    private static volatile boolean loaded;

    private DjlNatives() {
    }

    /**
     * Sets the defaults that are not set yet and loads the native library into this class loader;
     * idempotent.
     *
     * @throws IllegalStateException if the library cannot be loaded
     */
    static void prepare() {
        if (loaded) {
            return;
        }
        synchronized (JVM_WIDE_LOCK) {
            if (loaded) {
                return;
            }
            setDefault(OFFLINE, OFFLINE_ENV, "true");
            setDefault(FLAVOR, FLAVOR, "cpu");
            setDefault(TRACKING, TRACKING, "true");
            Path ownCopy = isSet(CACHE_DIR, CACHE_DIR) || isSet(DJL_CACHE_DIR, DJL_CACHE_DIR)
                    ? null : newCopyDirectory();
            try {
                if (ownCopy != null) {
                    System.setProperty(CACHE_DIR, ownCopy.toString());
                }
                LibUtils.checkStatus();
            } catch (LinkageError | RuntimeException e) {
                throw new IllegalStateException("cannot load the HuggingFace tokenizers native"
                        + " library: " + e, e);
            } finally {
                if (ownCopy != null) {
                    System.clearProperty(CACHE_DIR);
                    deleteQuietly(ownCopy);
                }
            }
            loaded = true;
        }
    }

    /** {@code ${java.io.tmpdir}/fusion-djl-${user.name}}: per user, as /tmp is shared. */
    static Path defaultCacheDir() {
        return Path.of(System.getProperty("java.io.tmpdir"),
                "fusion-djl-" + System.getProperty("user.name", "user"));
    }

    private static Path newCopyDirectory() {
        try {
            Path base = Files.createDirectories(defaultCacheDir());
            Path copy = Files.createTempDirectory(base, "tokenizers-");
            LOG.info("DJL tokenizers: extracting the native library to {} (removed once loaded)",
                    copy);
            return copy;
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a directory for the HuggingFace"
                    + " tokenizers native library under " + defaultCacheDir() + ": " + e, e);
        }
    }

    /** A loaded library on Windows cannot be deleted: then it goes when the JVM exits. */
    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                if (!file.toFile().delete()) {
                    file.toFile().deleteOnExit();
                }
            }
        } catch (IOException e) {
            LOG.warn("DJL tokenizers: cannot remove {}: {}", dir, e.toString());
        }
    }

    private static void setDefault(String property, String env, String value) {
        if (!isSet(property, env)) {
            System.setProperty(property, value);
            LOG.info("DJL tokenizers: {}={} (set neither as an environment variable nor as a"
                    + " system property)", property, value);
        }
    }

    private static boolean isSet(String property, String env) {
        return System.getenv(env) != null || System.getProperty(property) != null;
    }
}
