package dev.fusion.operators.decode;

/** A decoded event that breaks the contract (missing id, bad vector, bad text or time). */
public final class InvalidRecordException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String eventId;

    public InvalidRecordException(String eventId, String message) {
        super(message);
        this.eventId = eventId;
    }

    /** The event id, if the record had a usable one; else null. */
    public String eventId() {
        return eventId;
    }
}
