package dev.fusion.schemas.codec;

import dev.fusion.schemas.DeadLetterReason;

/** Typed failure of the single-object codec; callers turn it into a dead letter. */
public final class CodecException extends Exception {

    private static final long serialVersionUID = 1L;

    /** What went wrong, precisely enough to tell a producer what to fix. */
    public enum Failure {
        /** Null, too short for a header, or not starting with the single-object marker C3 01. */
        BAD_HEADER,
        /** A well-formed header whose schema fingerprint this reader does not know. */
        UNKNOWN_SCHEMA,
        /** The body ends before the record does. */
        TRUNCATED,
        /** A length, count or message size beyond the configured limits. */
        TOO_LARGE,
        /** Anything else that is not valid Avro for the writer schema (bad varint, index, trailing bytes). */
        MALFORMED;

        /** The dead-letter reason of the DESIGN contract for this failure. */
        public DeadLetterReason deadLetterReason() {
            return this == UNKNOWN_SCHEMA ? DeadLetterReason.UNKNOWN_SCHEMA : DeadLetterReason.MALFORMED;
        }
    }

    private final Failure failure;

    public CodecException(Failure failure, String message) {
        super(message);
        this.failure = failure;
    }

    public CodecException(Failure failure, String message, Throwable cause) {
        super(message, cause);
        this.failure = failure;
    }

    public Failure failure() {
        return failure;
    }

    public DeadLetterReason deadLetterReason() {
        return failure.deadLetterReason();
    }
}
