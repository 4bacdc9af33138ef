package dev.fusion.models.runtime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.fusion.models.manifest.ModelSpec;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One open session with its reference count; closing waits for calls still running on it. */
final class SharedSession {

    private static final Logger LOG = LoggerFactory.getLogger(SharedSession.class);

    final SharedSessions.Key key;
    final ModelSpec spec;
    final OrtSession session;
    final Device device;
    /** Runs share the read lock; close takes the write lock, so it never frees a running graph. */
    final ReadWriteLock lock = new ReentrantReadWriteLock();
    /** Guarded by the owning {@link SharedSessions}. */
    int references;
    /** Written under the write lock, read under the read lock. */
    boolean closed;

    SharedSession(SharedSessions.Key key, ModelSpec spec, SessionFactory.Opened opened) {
        this.key = key;
        this.spec = spec;
        this.session = opened.session();
        this.device = opened.device();
    }

    void close() {
        lock.writeLock().lock();
        try {
            closed = true;
            session.close();
            LOG.debug("{}: closed its ONNX Runtime session on {}", spec.label(), device);
        } catch (OrtException e) {
            LOG.warn("{}: closing its ONNX Runtime session failed", spec.label(), e);
        } finally {
            lock.writeLock().unlock();
        }
    }
}
