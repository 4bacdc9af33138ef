package dev.fusion.models.inference;

/** ONNX Runtime failed to run a batch; the message names the model and the batch size. */
public class InferenceException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InferenceException(String message) {
        super(message);
    }

    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
