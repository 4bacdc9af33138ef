package dev.fusion.models.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import dev.fusion.models.manifest.ModelManifest;
import dev.fusion.models.manifest.ModelRole;
import dev.fusion.models.manifest.ModelSpec;
import dev.fusion.models.manifest.Modality;
import dev.fusion.models.manifest.TensorNames;
import dev.fusion.models.runtime.Device;
import dev.fusion.models.runtime.RuntimeOptions;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The audio or image routing layer: feature vectors in, embeddings and gate logits out.
 * Thread-safe; instances share one session per JVM (see
 * {@link dev.fusion.models.runtime.SharedSessions}).
 */
public final class RoutingModel implements AutoCloseable {

    private static final String[] OUTPUTS = {TensorNames.EMBEDDING, TensorNames.GATE_LOGIT};

    private final ModelRunner runner;
    private final String modality;
    private final int inputDim;
    private final int dim;

    private RoutingModel(ModelSpec spec, RuntimeOptions options) {
        if (spec.role() != ModelRole.ROUTING || spec.tokenizer() != null) {
            throw new IllegalArgumentException(spec.label()
                    + " is not a feature routing model (use TextRoutingModel for text)");
        }
        this.modality = spec.modality();
        this.inputDim = (int) spec.input(TensorNames.FEATURES).dim(1);
        this.dim = (int) spec.output(TensorNames.EMBEDDING).dim(1);
        this.runner = new ModelRunner(spec, options);
    }

    /** Opens the routing model of a feature modality from a validated manifest. */
    public static RoutingModel open(ModelManifest manifest, Modality modality,
            RuntimeOptions options) {
        return open(manifest.routing(modality), options);
    }

    /** Opens the routing model of the feature modality of this name. */
    public static RoutingModel open(ModelManifest manifest, String modalityId,
            RuntimeOptions options) {
        return open(manifest.routing(modalityId), options);
    }

    /** Opens (or shares) the session of a feature routing model. */
    public static RoutingModel open(ModelSpec spec, RuntimeOptions options) {
        return new RoutingModel(spec, options);
    }

    /** As {@link #route(List)}. */
    public RoutingResult route(float[][] features) {
        return route(Arrays.asList(features));
    }

    /**
     * Routes a batch: one row of {@link #inputDim()} finite floats per record.
     *
     * @throws InvalidInputException naming the first bad row; nothing has run
     * @throws InferenceException if ONNX Runtime fails on the batch
     */
    public RoutingResult route(List<float[]> features) {
        int rows = features.size();
        for (int row = 0; row < rows; row++) {
            checkFeatures(row, features.get(row));
        }
        if (rows == 0) {
            return RoutingResult.empty(dim);
        }
        FloatBuffer packed = DirectScratch.get().floats(0, Math.multiplyExact(rows, inputDim));
        for (float[] row : features) {
            packed.put(row);
        }
        packed.rewind();
        long[] shape = {rows, inputDim};
        try (OnnxTensor input = OnnxTensor.createTensor(runner.environment(), packed, shape)) {
            float[][] out = runner.run(Map.of(TensorNames.FEATURES, input), rows, OUTPUTS,
                    new int[] {dim, 1});
            return new RoutingResult(rows, dim, out[0], out[1]);
        } catch (OrtException e) {
            throw runner.failure(rows, e);
        }
    }

    /**
     * Checks one record's features as {@link #route} would, so a caller can reject it before
     * batching.
     *
     * @throws InvalidInputException naming the row and {@code features}
     */
    public void checkFeatures(int row, float[] features) {
        if (features == null) {
            throw new InvalidInputException(label(), row, TensorNames.FEATURES, "is missing");
        }
        if (features.length != inputDim) {
            throw new InvalidInputException(label(), row, TensorNames.FEATURES, "has "
                    + features.length + " values but " + modality + " features have " + inputDim);
        }
        for (int i = 0; i < features.length; i++) {
            if (!Float.isFinite(features[i])) {
                throw new InvalidInputException(label(), row, TensorNames.FEATURES,
                        "has " + features[i] + " at index " + i);
            }
        }
    }

    public ModelSpec spec() {
        return runner.spec();
    }

    /** The name of the routed modality. */
    public String modality() {
        return modality;
    }

    /** Feature length of one record. */
    public int inputDim() {
        return inputDim;
    }

    /** D, the embedding length. */
    public int embeddingDim() {
        return dim;
    }

    /** Where the shared session runs. */
    public Device device() {
        return runner.device();
    }

    private String label() {
        return runner.label();
    }

    /** Releases this instance's lease on the shared session. */
    @Override
    public void close() {
        runner.close();
    }
}
