package dev.fusion.models.manifest;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One model of the manifest, as declared there, plus where its ONNX file is.
 *
 * @param name unique model name, e.g. {@code audio-routing}
 * @param role routing or integration
 * @param modality the name of the routed modality ({@link Modality#id()}); null for an
 *     integration model
 * @param fusionMode the fusion mode; null for a routing model
 * @param version the model's own version
 * @param file the ONNX file name, relative to the manifest
 * @param sha256 lower-case hex SHA-256 of the ONNX file
 * @param opset ONNX opset the file was exported with
 * @param inputs declared inputs, in manifest order
 * @param outputs declared outputs, in manifest order
 * @param inputDim feature length of a feature routing model; null otherwise
 * @param tokenizer tokenizer of a text routing model; null otherwise
 * @param source where the ONNX bytes are read from
 */
public record ModelSpec(
        String name,
        ModelRole role,
        String modality,
        FusionMode fusionMode,
        String version,
        String file,
        String sha256,
        int opset,
        List<TensorSpec> inputs,
        List<TensorSpec> outputs,
        Integer inputDim,
        TokenizerConfig tokenizer,
        ModelSource source) {

    public ModelSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(source, "source");
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** The declared input with this name; throws naming the model if there is none. */
    public TensorSpec input(String tensorName) {
        return find(inputs, tensorName)
                .orElseThrow(() -> new ModelValidationException(
                        label() + ": the manifest declares no input '" + tensorName + "'"));
    }

    /** The declared output with this name; throws naming the model if there is none. */
    public TensorSpec output(String tensorName) {
        return find(outputs, tensorName)
                .orElseThrow(() -> new ModelValidationException(
                        label() + ": the manifest declares no output '" + tensorName + "'"));
    }

    /**
     * Reads the ONNX file and checks its SHA-256 against the manifest.
     *
     * @throws ModelValidationException if the file is missing, unreadable or altered
     */
    public byte[] readVerifiedBytes() {
        return ArtifactVerifier.readVerified(this);
    }

    /** {@code model '<name>'}, the prefix of every message about this model. */
    public String label() {
        return "model '" + name + "'";
    }

    private static Optional<TensorSpec> find(List<TensorSpec> specs, String tensorName) {
        return specs.stream().filter(spec -> spec.name().equals(tensorName)).findFirst();
    }
}
