package dev.fusion.operators.batch;

import java.io.Serializable;
import java.time.Duration;

/**
 * When a micro-batch is flushed: at {@code batchSize} records or {@code maxDelay} after its first
 * record arrived, whichever comes first.
 *
 * @param batchSize {@code inference.batch-size}, at least 1
 * @param maxDelay {@code inference.max-delay}, processing time, at least 1 ms
 */
public record MicroBatchOptions(int batchSize, Duration maxDelay) implements Serializable {

    public static final String BATCH_SIZE = "inference.batch-size";
    public static final String MAX_DELAY = "inference.max-delay";

    public MicroBatchOptions {
        if (batchSize < 1) {
            throw new IllegalArgumentException(BATCH_SIZE + " must be at least 1, got " + batchSize);
        }
        if (maxDelay == null || maxDelay.toMillis() < 1) {
            throw new IllegalArgumentException(MAX_DELAY + " must be at least 1 ms, got " + maxDelay);
        }
    }
}
