package dev.fusion.operators.batch;

import dev.fusion.schemas.DeadLetter;
import java.io.Serializable;
import java.util.List;

/**
 * Turns a record whose batch failed on its own into dead letters: one per input event it
 * accounts for, so that nothing goes missing.
 *
 * @param <IN> the batched record type
 */
@FunctionalInterface
public interface PoisonHandler<IN> extends Serializable {

    /** The dead letters for {@code record}, which failed with {@code cause}, at {@code nowMillis}. */
    List<DeadLetter> deadLetters(IN record, Exception cause, long nowMillis);
}
