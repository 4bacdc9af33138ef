package dev.fusion.models.manifest;

/** Tensor names fixed by docs/MODEL_CONTRACT.md; the manifest validation enforces them. */
public final class TensorNames {

    /** Text routing input: int64 {@code [B, T]}, 0-padded hashed token ids. */
    public static final String INPUT_IDS = "input_ids";
    /** Audio and image routing input: float32 {@code [B, input_dim]}. */
    public static final String FEATURES = "features";
    /** Routing output: float32 {@code [B, D]}. */
    public static final String EMBEDDING = "embedding";
    /** Routing output: float32 {@code [B]}. */
    public static final String GATE_LOGIT = "gate_logit";

    /** Integration input: float32 {@code [B, 3, D]}. */
    public static final String EMBEDDINGS = "embeddings";
    /** Integration input: float32 {@code [B, 3]}, gate logits. */
    public static final String GATES = "gates";
    /** Integration input: float32 {@code [B, 3]}, 1 present and 0 absent. */
    public static final String MASK = "mask";
    /** Integration output: float32 {@code [B, D]}. */
    public static final String FUSED = "fused";
    /** Integration output: float32 {@code [B, 3]}, normalized modality weights. */
    public static final String WEIGHTS = "weights";
    /** Integration output: float32 {@code [B, K]}, class probabilities. */
    public static final String SCORES = "scores";

    private TensorNames() {
    }
}
