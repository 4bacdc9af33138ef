package dev.fusion.models.runtime;

import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.fusion.models.manifest.ModelSpec;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/** A counted handle on a shared session; thread-safe, and closing it twice is harmless. */
public final class SessionLease implements AutoCloseable {

    /** Reads what it needs from a result; the lease closes the result afterwards. */
    @FunctionalInterface
    public interface ResultReader<T> {
        T read(OrtSession.Result result) throws OrtException;
    }

    private final SharedSessions owner;
    private final SharedSession shared;
    private final AtomicBoolean closed = new AtomicBoolean();

    SessionLease(SharedSessions owner, SharedSession shared) {
        this.owner = owner;
        this.shared = shared;
    }

    public ModelSpec spec() {
        return shared.spec;
    }

    /** The device the session really runs on: {@code cpu} or {@code cuda:N}, never auto. */
    public Device device() {
        return shared.device;
    }

    /** The environment to create input tensors in. */
    public OrtEnvironment environment() {
        return OrtEnvironment.getEnvironment();
    }

    /** The shared session, for metadata; run it through {@link #run} so close waits for it. */
    public OrtSession session() {
        checkOpen();
        return shared.session;
    }

    /**
     * Runs the session and hands the result to {@code reader}; the result is closed before this
     * returns, and the session cannot be closed while it runs.
     */
    public <T> T run(Map<String, ? extends OnnxTensorLike> inputs, ResultReader<T> reader)
            throws OrtException {
        checkOpen();
        shared.lock.readLock().lock();
        try {
            if (shared.closed) {
                throw new IllegalStateException(shared.spec.label() + ": session is closed");
            }
            try (OrtSession.Result result = shared.session.run(inputs)) {
                return reader.read(result);
            }
        } finally {
            shared.lock.readLock().unlock();
        }
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** Releases this lease; the session closes with the last one. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            owner.release(shared);
        }
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException(shared.spec.label() + ": the session lease is closed");
        }
    }
}
