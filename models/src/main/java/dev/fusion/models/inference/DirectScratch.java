package dev.fusion.models.inference;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;

/**
 * Per-thread direct buffers that input tensors are packed into, so ONNX Runtime reads them in
 * place and a steady stream of batches allocates no native memory.
 *
 * <p>Safe because a tensor made over a slot is closed before the same thread asks for the slot
 * again: every model call creates and closes its tensors within the call.
 */
final class DirectScratch {

    /** Larger one-off batches get a buffer of their own instead of pinning memory per thread. */
    private static final int MAX_CACHED_BYTES = 16 << 20;
    private static final int SLOTS = 3;

    private static final ThreadLocal<DirectScratch> LOCAL =
            ThreadLocal.withInitial(DirectScratch::new);

    private final ByteBuffer[] slots = new ByteBuffer[SLOTS];

    private DirectScratch() {
    }

    static DirectScratch get() {
        return LOCAL.get();
    }

    /** A direct, native-order buffer of exactly {@code count} floats, position 0. */
    FloatBuffer floats(int slot, int count) {
        return bytes(slot, Math.multiplyExact(count, Float.BYTES)).asFloatBuffer();
    }

    /** A direct, native-order buffer of exactly {@code count} longs, position 0. */
    LongBuffer longs(int slot, int count) {
        return bytes(slot, Math.multiplyExact(count, Long.BYTES)).asLongBuffer();
    }

    private ByteBuffer bytes(int slot, int size) {
        if (size > MAX_CACHED_BYTES) {
            return ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
        }
        ByteBuffer buffer = slots[slot];
        if (buffer == null || buffer.capacity() < size) {
            int capacity = Math.min(MAX_CACHED_BYTES, Math.max(size, 2 * capacityOf(buffer)));
            buffer = ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
            slots[slot] = buffer;
        }
        buffer.clear().limit(size);
        return buffer;
    }

    private static int capacityOf(ByteBuffer buffer) {
        return buffer == null ? 0 : buffer.capacity();
    }
}
