package dev.fusion.models.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import dev.fusion.models.manifest.FusionMode;
import dev.fusion.models.manifest.ModelManifest;
import dev.fusion.models.manifest.ModelRole;
import dev.fusion.models.manifest.ModelSpec;
import dev.fusion.models.manifest.Modality;
import dev.fusion.models.manifest.TensorNames;
import dev.fusion.models.runtime.Device;
import dev.fusion.models.runtime.RuntimeOptions;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

/**
 * The integration layer and output layer: fuses the present modality embeddings of each row (M
 * slots, the manifest's modalities) by the model's fusion mode. Thread-safe; instances share one
 * session per JVM.
 */
public final class IntegrationModel implements AutoCloseable {

    private static final String[] OUTPUTS =
            {TensorNames.FUSED, TensorNames.WEIGHTS, TensorNames.SCORES};
    private final ModelRunner runner;
    private final List<Modality> modalities;
    private final FusionMode fusionMode;
    private final int dim;
    private final int numClasses;
    private final float[] zeros;

    private IntegrationModel(ModelSpec spec, List<Modality> modalities, RuntimeOptions options) {
        if (spec.role() != ModelRole.INTEGRATION) {
            throw new IllegalArgumentException(spec.label() + " is not an integration model");
        }
        this.modalities = List.copyOf(modalities);
        this.fusionMode = spec.fusionMode();
        this.dim = (int) spec.output(TensorNames.FUSED).dim(1);
        this.numClasses = (int) spec.output(TensorNames.SCORES).dim(1);
        this.zeros = new float[dim];
        this.runner = new ModelRunner(spec, options);
    }

    /** Opens the integration model of a fusion mode from a validated manifest. */
    public static IntegrationModel open(ModelManifest manifest, FusionMode mode,
            RuntimeOptions options) {
        return open(manifest.integration(mode), manifest.modalities(), options);
    }

    /** Opens (or shares) the session of an integration model of these modalities' slots. */
    public static IntegrationModel open(ModelSpec spec, List<Modality> modalities,
            RuntimeOptions options) {
        return new IntegrationModel(spec, modalities, options);
    }

    /** An empty batch of this model's modalities, for about {@code expectedRows} rows. */
    public IntegrationBatch newBatch(int expectedRows) {
        return new IntegrationBatch(modalities.size(), expectedRows);
    }

    /**
     * Fuses every row of the batch. Absent modalities are sent as zeros with mask 0 and gate 0.
     *
     * @throws InvalidInputException naming the first bad row; nothing has run
     * @throws InferenceException if ONNX Runtime fails on the batch
     */
    public IntegrationResult fuse(IntegrationBatch batch) {
        int rows = batch.size();
        int m = modalities.size();
        if (batch.modalities() != m) {
            throw new IllegalArgumentException("a batch of " + batch.modalities()
                    + " modalities for " + label() + ", which fuses " + m);
        }
        for (int row = 0; row < rows; row++) {
            checkRow(batch, row);
        }
        if (rows == 0) {
            return IntegrationResult.empty(m, dim, numClasses);
        }
        DirectScratch scratch = DirectScratch.get();
        FloatBuffer embeddings = scratch.floats(0, Math.multiplyExact(rows, m * dim));
        FloatBuffer gates = scratch.floats(1, rows * m);
        FloatBuffer mask = scratch.floats(2, rows * m);
        for (int row = 0; row < rows; row++) {
            for (Modality modality : modalities) {
                float[] embedding = batch.embedding(row, modality.index());
                boolean present = embedding != null;
                embeddings.put(present ? embedding : zeros);
                gates.put(present ? batch.gate(row, modality.index()) : 0f);
                mask.put(present ? 1f : 0f);
            }
        }
        embeddings.rewind();
        gates.rewind();
        mask.rewind();
        var env = runner.environment();
        try (OnnxTensor e = OnnxTensor.createTensor(env, embeddings, new long[] {rows, m, dim});
                OnnxTensor g = OnnxTensor.createTensor(env, gates, new long[] {rows, m});
                OnnxTensor k = OnnxTensor.createTensor(env, mask, new long[] {rows, m})) {
            float[][] out = runner.run(
                    Map.of(TensorNames.EMBEDDINGS, e, TensorNames.GATES, g, TensorNames.MASK, k),
                    rows, OUTPUTS, new int[] {dim, m, numClasses});
            return new IntegrationResult(rows, m, dim, numClasses, out[0], out[1], out[2]);
        } catch (OrtException ex) {
            throw runner.failure(rows, ex);
        }
    }

    /**
     * Checks one row as {@link #fuse} would: at least one modality present, each present
     * embedding of length D with finite values, and a finite gate.
     *
     * @throws InvalidInputException naming the row and the field, e.g. {@code audio.embedding}
     */
    public void checkRow(IntegrationBatch batch, int row) {
        boolean any = false;
        for (Modality modality : modalities) {
            float[] embedding = batch.embedding(row, modality.index());
            if (embedding == null) {
                continue;
            }
            any = true;
            String field = modality.id() + ".embedding";
            if (embedding.length != dim) {
                throw new InvalidInputException(label(), row, field,
                        "has " + embedding.length + " values but the model expects " + dim);
            }
            for (int i = 0; i < dim; i++) {
                if (!Float.isFinite(embedding[i])) {
                    throw new InvalidInputException(label(), row, field,
                            "has " + embedding[i] + " at index " + i);
                }
            }
            float gate = batch.gate(row, modality.index());
            if (!Float.isFinite(gate)) {
                throw new InvalidInputException(label(), row, modality.id() + ".gate",
                        "is " + gate);
            }
        }
        if (!any) {
            throw new InvalidInputException(label(), row, TensorNames.MASK,
                    "has no modality present");
        }
    }

    public ModelSpec spec() {
        return runner.spec();
    }

    /** The modalities of its slots, in order. */
    public List<Modality> modalities() {
        return modalities;
    }

    public FusionMode fusionMode() {
        return fusionMode;
    }

    /** D, the fused embedding length. */
    public int embeddingDim() {
        return dim;
    }

    /** K, the number of classes. */
    public int numClasses() {
        return numClasses;
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
