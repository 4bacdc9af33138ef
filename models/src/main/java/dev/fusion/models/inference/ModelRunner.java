package dev.fusion.models.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.fusion.models.manifest.ModelSpec;
import dev.fusion.models.runtime.Device;
import dev.fusion.models.runtime.RuntimeOptions;
import dev.fusion.models.runtime.SessionLease;
import dev.fusion.models.runtime.SharedSessions;
import java.nio.FloatBuffer;
import java.util.Map;

/** Holds a model's session lease and turns a run into flat float arrays, one per output. */
final class ModelRunner implements AutoCloseable {

    private final SessionLease lease;

    ModelRunner(ModelSpec spec, RuntimeOptions options) {
        this.lease = SharedSessions.acquire(spec, options);
    }

    ModelSpec spec() {
        return lease.spec();
    }

    Device device() {
        return lease.device();
    }

    OrtEnvironment environment() {
        return lease.environment();
    }

    String label() {
        return lease.spec().label();
    }

    /**
     * Runs the model and copies each requested output into a new array of
     * {@code rows * widths[i]} floats (row-major).
     */
    float[][] run(Map<String, OnnxTensor> inputs, int rows, String[] outputs, int[] widths)
            throws OrtException {
        return lease.run(inputs, result -> {
            float[][] flat = new float[outputs.length][];
            for (int i = 0; i < outputs.length; i++) {
                String name = outputs[i];
                OnnxValue value = result.get(name).orElseThrow(() -> new InferenceException(
                        label() + ": the session returned no output '" + name + "'"));
                if (!(value instanceof OnnxTensor)) {
                    throw new InferenceException(
                            label() + ": output '" + name + "' is not a tensor");
                }
                flat[i] = toArray((OnnxTensor) value, name, (long) rows * widths[i]);
            }
            return flat;
        });
    }

    private float[] toArray(OnnxTensor tensor, String name, long expected) {
        // getFloatBuffer() already copies into a heap buffer: take its array instead of copying
        // again.
        FloatBuffer buffer = tensor.getFloatBuffer();
        if (buffer == null || buffer.remaining() != expected) {
            throw new InferenceException(label() + ": output '" + name + "' has "
                    + (buffer == null ? "no float" : buffer.remaining()) + " values, expected "
                    + expected);
        }
        if (buffer.hasArray() && buffer.arrayOffset() == 0 && buffer.position() == 0
                && buffer.array().length == expected) {
            return buffer.array();
        }
        float[] copy = new float[(int) expected];
        buffer.get(copy);
        return copy;
    }

    InferenceException failure(int rows, OrtException e) {
        return new InferenceException(label() + ": inference on a batch of " + rows
                + " rows failed: " + e.getMessage(), e);
    }

    @Override
    public void close() {
        lease.close();
    }
}
