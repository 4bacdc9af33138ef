package dev.fusion.models.runtime;

import ai.onnxruntime.OrtEnvironment;
import dev.fusion.models.manifest.ModelSpec;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One ONNX Runtime session per model and options per JVM (per class loader, in Flink: per job on
 * a TaskManager), shared by every caller and closed when its last {@link SessionLease} closes.
 */
public final class SharedSessions {

    private static final SharedSessions GLOBAL = new SharedSessions();

    /** Same name, same bytes and same options give the same session. */
    record Key(String modelName, String sha256, RuntimeOptions options) {
    }

    private final Map<Key, SharedSession> sessions = new HashMap<>();

    private SharedSessions() {
    }

    /**
     * A lease on the shared session of {@code spec} under {@code options}, opening the session if
     * no lease holds it. Close the lease when done; it is the only handle that counts.
     *
     * @throws DeviceUnavailableException if {@code options.device()} cannot be used
     * @throws dev.fusion.models.manifest.ModelValidationException if the ONNX file disagrees
     *     with {@code spec}
     */
    public static SessionLease acquire(ModelSpec spec, RuntimeOptions options) {
        return GLOBAL.lease(spec, options);
    }

    /** How many open leases share the session of {@code spec} under {@code options}. */
    public static int referenceCount(ModelSpec spec, RuntimeOptions options) {
        return GLOBAL.count(key(spec, options));
    }

    /** How many sessions are open in this JVM. */
    public static int openSessions() {
        synchronized (GLOBAL) {
            return GLOBAL.sessions.size();
        }
    }

    private static Key key(ModelSpec spec, RuntimeOptions options) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(options, "options");
        return new Key(spec.name(), spec.sha256(), options);
    }

    private synchronized SessionLease lease(ModelSpec spec, RuntimeOptions options) {
        Key key = key(spec, options);
        SharedSession shared = sessions.get(key);
        if (shared == null) {
            // Opening under the lock keeps "one session per key" simple; it happens at start-up.
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            shared = new SharedSession(key, spec, SessionFactory.open(env, spec, options));
            sessions.put(key, shared);
        }
        shared.references++;
        return new SessionLease(this, shared);
    }

    private synchronized int count(Key key) {
        SharedSession shared = sessions.get(key);
        return shared == null ? 0 : shared.references;
    }

    synchronized void release(SharedSession shared) {
        shared.references--;
        if (shared.references == 0) {
            sessions.remove(shared.key);
            shared.close();
        }
    }
}
