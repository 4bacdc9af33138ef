package dev.fusion.models.runtime;

/** The configured {@code inference.device} cannot be used; the message says which and why. */
public class DeviceUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DeviceUnavailableException(String message) {
        super(message);
    }

    public DeviceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
