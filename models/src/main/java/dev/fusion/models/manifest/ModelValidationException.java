package dev.fusion.models.manifest;

/** A model artifact or its manifest is unusable; the message names the model and the mismatch. */
public class ModelValidationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ModelValidationException(String message) {
        super(message);
    }

    public ModelValidationException(String message, Throwable cause) {
        super(message, cause);
    }
}
