package dev.fusion.models.tokenizer;

import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes DJL load its HuggingFace tokenizers library from the jar, never from the network.
 *
 * <p>The tokenizers jar carries {@code libtokenizers.so} for CPU only. Left alone, DJL asks CUDA
 * for a GPU (through JNA) and on a machine with one picks a CUDA flavour it then downloads from
 * {@code publish.djl.ai}; it also looks up EC2 metadata and sends telemetry once a day. Offline
 * mode and the CPU flavour turn all three off, and a fixed cache directory under
 * {@code java.io.tmpdir} makes the place the library is extracted to predictable. Each is set as
 * a system property only when neither the environment variable nor the property is set, so a
 * user's value always wins (and each default set here is logged). DJL reads them once, when its
 * native library is first loaded, so this runs before any DJL tokenizer class initializes.
 */
final class DjlNatives {

    static final String OFFLINE = "ai.djl.offline";
    static final String OFFLINE_ENV = "DJL_OFFLINE";
    static final String FLAVOR = "RUST_FLAVOR";
    static final String TRACKING = "OPT_OUT_TRACKING";
    static final String CACHE_DIR = "ENGINE_CACHE_DIR";
    static final String DJL_CACHE_DIR = "DJL_CACHE_DIR";

    private static final Logger LOG = LoggerFactory.getLogger(DjlNatives.class);
    private static boolean prepared;

    private DjlNatives() {
    }

    /** Sets the defaults that are not set yet; idempotent. */
    static synchronized void prepare() {
        if (prepared) {
            return;
        }
        setDefault(OFFLINE, OFFLINE_ENV, "true");
        setDefault(FLAVOR, FLAVOR, "cpu");
        setDefault(TRACKING, TRACKING, "true");
        if (!isSet(DJL_CACHE_DIR, DJL_CACHE_DIR)) {
            setDefault(CACHE_DIR, CACHE_DIR, defaultCacheDir().toString());
        }
        prepared = true;
    }

    /** {@code ${java.io.tmpdir}/fusion-djl-${user.name}}: per user, as /tmp is shared. */
    static Path defaultCacheDir() {
        return Path.of(System.getProperty("java.io.tmpdir"),
                "fusion-djl-" + System.getProperty("user.name", "user"));
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
