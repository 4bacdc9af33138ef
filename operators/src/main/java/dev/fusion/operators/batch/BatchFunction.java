package dev.fusion.operators.batch;

import java.io.Serializable;
import java.util.List;
import java.util.Optional;

/**
 * The work a {@link MicroBatchOperator} does on one batch: exactly one output per input, in input
 * order. It may throw; the operator then splits the batch to isolate the poison record(s).
 *
 * @param <IN> input record type
 * @param <OUT> output record type
 */
public interface BatchFunction<IN, OUT> extends Serializable {

    /** Acquires resources (model sessions) before the first batch. */
    default void open() throws Exception {
    }

    /** Processes one non-empty batch; returns a list of the same size and order. */
    List<OUT> apply(List<IN> batch) throws Exception;

    /** The model this function serves and its device, once {@link #open()} ran; empty for none. */
    default Optional<ModelServing> serving() {
        return Optional.empty();
    }

    /** Releases what {@link #open()} acquired. */
    default void close() throws Exception {
    }
}
