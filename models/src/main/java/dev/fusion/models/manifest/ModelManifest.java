package dev.fusion.models.manifest;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fusion.models.tokenizer.HuggingFaceTextTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The validated {@code manifest.json}: every model (and tokenizer file) it names exists, has the
 * declared SHA-256, and its ONNX inputs and outputs match the manifest and the contract
 * (docs/MODEL_CONTRACT.md).
 */
public final class ModelManifest {

    /** Classpath prefix under which the models module bundles {@code models/artifacts/}. */
    public static final String BUNDLED_PREFIX = "fusion-models";

    static final int SUPPORTED_MANIFEST_VERSION = 1;

    private static final Logger LOG = LoggerFactory.getLogger(ModelManifest.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String modelFamily;
    private final String version;
    private final int embeddingDim;
    private final int numClasses;
    private final List<Modality> modalities;
    private final List<ModelSpec> models;
    private final ArtifactRoot root;

    ModelManifest(
            String modelFamily,
            String version,
            int embeddingDim,
            int numClasses,
            List<Modality> modalities,
            List<ModelSpec> models,
            ArtifactRoot root) {
        this.modelFamily = modelFamily;
        this.version = version;
        this.embeddingDim = embeddingDim;
        this.numClasses = numClasses;
        this.modalities = List.copyOf(modalities);
        this.models = List.copyOf(models);
        this.root = root;
    }

    /**
     * Loads and validates {@code dir/manifest.json} and every model it names.
     *
     * @throws ModelValidationException naming the model and the mismatch
     */
    public static ModelManifest load(Path dir) {
        Objects.requireNonNull(dir, "dir");
        Path file = dir.resolve(ArtifactRoot.MANIFEST_FILE);
        if (!Files.isRegularFile(file)) {
            throw new ModelValidationException("model directory " + dir.toAbsolutePath()
                    + " has no " + ArtifactRoot.MANIFEST_FILE);
        }
        ArtifactRoot root = ArtifactRoot.directory(dir);
        try (InputStream in = Files.newInputStream(file)) {
            return validate(parse(in, root));
        } catch (IOException e) {
            throw new ModelValidationException("cannot read " + file.toAbsolutePath() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Loads and validates the models this module's jar bundles under {@value #BUNDLED_PREFIX}. */
    public static ModelManifest loadBundled() {
        return loadBundled(ModelManifest.class.getClassLoader());
    }

    /** As {@link #loadBundled()}, resolving the resources with {@code loader}. */
    public static ModelManifest loadBundled(ClassLoader loader) {
        ArtifactRoot root = ArtifactRoot.classpath(BUNDLED_PREFIX, loader);
        ModelSource manifest = root.resolve(ArtifactRoot.MANIFEST_FILE);
        if (!manifest.exists()) {
            throw new ModelValidationException("no bundled models: " + manifest.describe()
                    + " is not on the classpath");
        }
        try (InputStream in = manifest.open()) {
            return validate(parse(in, root));
        } catch (IOException e) {
            throw new ModelValidationException("cannot read " + manifest.describe() + ": "
                    + e.getMessage(), e);
        }
    }

    private static ModelManifest parse(InputStream in, ArtifactRoot root) throws IOException {
        JsonNode json;
        try {
            json = JSON.readTree(in);
        } catch (JsonProcessingException e) {
            throw new ModelValidationException(root.describe() + "/" + ArtifactRoot.MANIFEST_FILE
                    + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        return new ManifestParser(root).parse(json);
    }

    /**
     * File, signature and vocabulary checks come before the contract checks: they say what is
     * really there.
     */
    private static ModelManifest validate(ModelManifest manifest) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        for (ModelSpec spec : manifest.models) {
            byte[] bytes = spec.readVerifiedBytes();
            checkOpset(spec, bytes);
            checkTokenizerFile(spec);
            try (OrtSession.SessionOptions options = validationOptions();
                    OrtSession session = env.createSession(bytes, options)) {
                SignatureVerifier.verify(spec, session);
                VocabularyProbe.verify(spec, env, session);
            } catch (OrtException e) {
                throw new ModelValidationException(spec.label() + ": ONNX Runtime cannot load "
                        + spec.file() + ": " + e.getMessage(), e);
            }
        }
        ContractValidator.validate(manifest);
        LOG.info("Validated {} models of manifest {} (version {}) in {}",
                manifest.models.size(), manifest.modelFamily, manifest.version,
                manifest.root.describe());
        return manifest;
    }

    /** Loads a HuggingFace tokenizer once: its file checks run, and DJL's native library. */
    private static void checkTokenizerFile(ModelSpec spec) {
        TokenizerConfig tokenizer = spec.tokenizer();
        if (tokenizer != null && tokenizer.type().equals(TokenizerConfig.TYPE_HUGGINGFACE)) {
            HuggingFaceTextTokenizer.open(tokenizer, spec.label()).close();
        }
    }

    private static void checkOpset(ModelSpec spec, byte[] onnx) {
        long imported;
        try {
            imported = OnnxOpset.defaultDomain(onnx);
        } catch (IllegalArgumentException e) {
            throw new ModelValidationException(spec.label() + ": cannot read the opset of "
                    + spec.file() + ": " + e.getMessage(), e);
        }
        if (imported != spec.opset()) {
            throw new ModelValidationException(spec.label() + ": opset " + spec.opset()
                    + " in the manifest but " + spec.file() + " imports ai.onnx opset " + imported);
        }
    }

    /** Only the graph's signature is read, so skip optimization and use one thread. */
    private static OrtSession.SessionOptions validationOptions() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        return options;
    }

    /** The {@code model_family} field, or null when the manifest has none. */
    public String modelFamily() {
        return modelFamily;
    }

    /** The manifest's version; {@code FusedEvent.model_version} carries it. */
    public String version() {
        return version;
    }

    /** D, the common embedding dimension. */
    public int embeddingDim() {
        return embeddingDim;
    }

    /** K, the number of output classes. */
    public int numClasses() {
        return numClasses;
    }

    /** The input streams, in the slot order of the integration model (M of them). */
    public List<Modality> modalities() {
        return modalities;
    }

    /** The modality of this name; throws naming the manifest's modalities if there is none. */
    public Modality modality(String id) {
        return modalities.stream().filter(m -> m.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no modality '" + id
                        + "' in the manifest; it has " + modalities));
    }

    /** Every model, in manifest order. */
    public List<ModelSpec> models() {
        return models;
    }

    /** Where the manifest was loaded from, for logs. */
    public String location() {
        return root.describe();
    }

    /** The model with this name; throws naming the valid names if there is none. */
    public ModelSpec model(String name) {
        return models.stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no model '" + name
                        + "' in the manifest; models: "
                        + models.stream().map(ModelSpec::name).toList()));
    }

    /** The routing model of a modality (validation guarantees exactly one). */
    public ModelSpec routing(Modality modality) {
        return models.stream()
                .filter(m -> m.role() == ModelRole.ROUTING && m.modality().equals(modality.id()))
                .findFirst().orElseThrow();
    }

    /** The routing model of the modality of this name. */
    public ModelSpec routing(String modalityId) {
        return routing(modality(modalityId));
    }

    /** The integration model of a fusion mode, if the manifest has one. */
    public Optional<ModelSpec> findIntegration(FusionMode mode) {
        return models.stream()
                .filter(m -> m.role() == ModelRole.INTEGRATION && m.fusionMode() == mode)
                .findFirst();
    }

    /** The integration model of a fusion mode; throws naming the modes the manifest has. */
    public ModelSpec integration(FusionMode mode) {
        return findIntegration(mode).orElseThrow(() -> new IllegalArgumentException(
                "the manifest has no integration model for fusion mode '" + mode
                        + "'; it has: " + models.stream()
                        .filter(m -> m.role() == ModelRole.INTEGRATION)
                        .map(m -> m.fusionMode().id()).toList()));
    }

    /** Whether another artifact beside the manifest exists, e.g. {@code generator.json}. */
    public boolean hasArtifact(String relativeName) {
        return root.resolve(checkRelative(relativeName)).exists();
    }

    /**
     * Opens another artifact beside the manifest, e.g. {@code generator.json}; the caller closes
     * the stream.
     */
    public InputStream openArtifact(String relativeName) throws IOException {
        return root.resolve(checkRelative(relativeName)).open();
    }

    private static String checkRelative(String relativeName) {
        if (relativeName.contains("..") || relativeName.startsWith("/")) {
            throw new IllegalArgumentException(
                    "artifact name '" + relativeName + "' must be relative to the manifest");
        }
        return relativeName;
    }

    @Override
    public String toString() {
        return "ModelManifest{" + modelFamily + " " + version + ", modalities " + modalities
                + ", " + models.size() + " models, " + root.describe() + "}";
    }
}
