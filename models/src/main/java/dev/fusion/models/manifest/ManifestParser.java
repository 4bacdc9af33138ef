package dev.fusion.models.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Turns manifest JSON into typed specs; checks presence and types of fields, not consistency. */
final class ManifestParser {

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    /** Every field the manifest format has, per object (docs/MODEL_CONTRACT.md); others fail. */
    static final Set<String> MANIFEST_FIELDS = Set.of("manifest_version", "model_family", "version",
            "embedding_dim", "num_classes", "modalities", "models");
    static final Set<String> MODEL_FIELDS = Set.of("name", "role", "modality", "fusion_mode",
            "version", "file", "sha256", "opset", "inputs", "outputs", "input_dim", "tokenizer");
    static final Set<String> TENSOR_FIELDS = Set.of("name", "dtype", "shape");
    static final Set<String> TOKENIZER_FIELDS = Set.of("type", "normalization", "lowercase",
            "ngram_max", "vocab_size", "max_tokens", "hash");
    static final Set<String> HUGGINGFACE_TOKENIZER_FIELDS = Set.of("type", "file", "sha256",
            "vocab_size", "max_tokens");

    private final ArtifactRoot root;

    ManifestParser(ArtifactRoot root) {
        this.root = root;
    }

    ModelManifest parse(JsonNode json) {
        if (json == null || !json.isObject()) {
            throw new ModelValidationException(
                    root.describe() + "/" + ArtifactRoot.MANIFEST_FILE + " is not a JSON object");
        }
        JsonFields fields = new JsonFields(json, ArtifactRoot.MANIFEST_FILE);
        fields.rejectUnknown(MANIFEST_FIELDS);
        int manifestVersion = fields.integer("manifest_version");
        if (manifestVersion != ModelManifest.SUPPORTED_MANIFEST_VERSION) {
            throw fields.error("manifest_version " + manifestVersion + " is not supported (only "
                    + ModelManifest.SUPPORTED_MANIFEST_VERSION + ")");
        }
        String family = fields.optionalText("model_family");
        String version = fields.text("version");
        int embeddingDim = fields.integer("embedding_dim");
        int numClasses = fields.integer("num_classes");
        List<String> names = modalityNames(fields);
        JsonNode modelsNode = fields.array("models");
        List<ModelSpec> models = new ArrayList<>();
        for (int i = 0; i < modelsNode.size(); i++) {
            models.add(parseModel(modelsNode.get(i), i));
        }
        return new ModelManifest(family, version, embeddingDim, numClasses,
                modalities(names, models), models, root);
    }

    /** The {@code modalities} list: at least one, each a valid name, none twice. */
    private static List<String> modalityNames(JsonFields fields) {
        JsonNode array = fields.array("modalities");
        if (array.isEmpty()) {
            throw fields.error("modalities is empty; a manifest declares at least one");
        }
        List<String> names = new ArrayList<>();
        for (JsonNode node : array) {
            String name = node.isTextual() ? node.asText() : node.toString();
            if (!node.isTextual() || !Modality.ID.matcher(name).matches()) {
                throw fields.error("modality name " + node + " must be 1 to 32 lower-case letters,"
                        + " digits, '-' or '_', starting with a letter");
            }
            if (names.contains(name)) {
                throw fields.error("modality '" + name + "' appears more than once in modalities");
            }
            names.add(name);
        }
        return names;
    }

    /**
     * The declared modalities in slot order, each with the kind its routing model gives it: a
     * tokenizer makes it text, anything else a feature vector (the contract validator checks that
     * the model's inputs agree). A routing model of an undeclared modality fails here.
     */
    private static List<Modality> modalities(List<String> names, List<ModelSpec> models) {
        List<Modality> modalities = new ArrayList<>();
        for (ModelSpec model : models) {
            if (model.role() == ModelRole.ROUTING && !names.contains(model.modality())) {
                throw new ModelValidationException(model.label() + ": modality '"
                        + model.modality() + "' is not one of the manifest's modalities " + names);
            }
        }
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            ModelSpec routing = models.stream()
                    .filter(m -> m.role() == ModelRole.ROUTING && m.modality().equals(name))
                    .findFirst()
                    .orElseThrow(() -> new ModelValidationException(ArtifactRoot.MANIFEST_FILE
                            + ": no routing model for modality '" + name + "'"));
            modalities.add(new Modality(name, i,
                    routing.tokenizer() != null ? Modality.Kind.TEXT : Modality.Kind.FEATURES));
        }
        return modalities;
    }

    private ModelSpec parseModel(JsonNode node, int index) {
        if (node == null || !node.isObject()) {
            throw new ModelValidationException(
                    ArtifactRoot.MANIFEST_FILE + ": models[" + index + "] is not an object");
        }
        JsonFields anonymous = new JsonFields(node, ArtifactRoot.MANIFEST_FILE + ": models["
                + index + "]");
        String name = anonymous.text("name");
        JsonFields fields = new JsonFields(node, "model '" + name + "'");
        fields.rejectUnknown(MODEL_FIELDS);

        String roleId = fields.text("role");
        ModelRole role = ModelRole.fromIdOrNull(roleId);
        if (role == null) {
            throw fields.error("role '" + roleId + "' is not one of routing, integration");
        }
        String modality = null;
        FusionMode fusionMode = null;
        if (role == ModelRole.ROUTING) {
            modality = fields.text("modality");
        } else {
            fusionMode = parseEnum(fields, "fusion_mode", FusionMode::fromId);
        }
        String file = fields.text("file");
        checkPlainFileName(fields, file);
        String sha256 = sha256(fields);
        TokenizerConfig tokenizer = fields.has("tokenizer")
                ? parseTokenizer(new JsonFields(fields.object("tokenizer"),
                        fields.owner() + ": tokenizer"))
                : null;
        return new ModelSpec(
                name,
                role,
                modality,
                fusionMode,
                fields.text("version"),
                file,
                sha256,
                fields.integer("opset"),
                parseTensors(fields, "inputs"),
                parseTensors(fields, "outputs"),
                fields.optionalInteger("input_dim"),
                tokenizer,
                root.resolve(file));
    }

    private interface EnumParser<E> {
        E parse(String id);
    }

    private static <E> E parseEnum(JsonFields fields, String field, EnumParser<E> parser) {
        String id = fields.text(field);
        try {
            return parser.parse(id);
        } catch (IllegalArgumentException e) {
            throw fields.error("field '" + field + "': " + e.getMessage());
        }
    }

    private static String sha256(JsonFields fields) {
        String sha256 = fields.text("sha256");
        if (!SHA256_HEX.matcher(sha256).matches()) {
            throw fields.error("sha256 '" + sha256 + "' is not 64 lower-case hex digits");
        }
        return sha256;
    }

    private static void checkPlainFileName(JsonFields fields, String file) {
        Path path = Path.of(file);
        if (path.isAbsolute() || !path.normalize().equals(path) || path.startsWith("..")
                || file.contains("\\")) {
            throw fields.error("file '" + file
                    + "' must be a relative path inside the model directory");
        }
    }

    private static List<TensorSpec> parseTensors(JsonFields fields, String field) {
        JsonNode array = fields.array(field);
        List<TensorSpec> tensors = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode node = array.get(i);
            String where = fields.owner() + ": " + field + "[" + i + "]";
            if (!node.isObject()) {
                throw new ModelValidationException(where + " is not an object");
            }
            JsonFields tensor = new JsonFields(node, where);
            tensor.rejectUnknown(TENSOR_FIELDS);
            String name = tensor.text("name");
            String dtypeId = tensor.text("dtype");
            DataType dtype = DataType.fromIdOrNull(dtypeId);
            if (dtype == null) {
                throw fields.error(singular(field) + " '" + name + "' has dtype '" + dtypeId
                        + "'; valid values: float32, int64");
            }
            JsonNode shapeNode = tensor.array("shape");
            long[] shape = new long[shapeNode.size()];
            for (int axis = 0; axis < shape.length; axis++) {
                JsonNode dim = shapeNode.get(axis);
                if (!dim.isIntegralNumber() || (dim.longValue() < 1
                        && dim.longValue() != TensorSpec.DYNAMIC)) {
                    throw fields.error(singular(field) + " '" + name + "' has shape " + shapeNode
                            + "; every axis must be a positive size or -1 (dynamic)");
                }
                shape[axis] = dim.longValue();
            }
            tensors.add(new TensorSpec(name, dtype, shape));
        }
        return tensors;
    }

    /** The block's fields depend on its {@code type}, so the type is read first. */
    private TokenizerConfig parseTokenizer(JsonFields fields) {
        String type = fields.text("type");
        switch (type) {
            case TokenizerConfig.TYPE_HASHING -> {
                fields.rejectUnknown(TOKENIZER_FIELDS);
                return new TokenizerConfig(
                        type,
                        fields.text("normalization"),
                        fields.bool("lowercase"),
                        fields.integer("ngram_max"),
                        fields.integer("vocab_size"),
                        fields.integer("max_tokens"),
                        fields.text("hash"));
            }
            case TokenizerConfig.TYPE_HUGGINGFACE -> {
                fields.rejectUnknown(HUGGINGFACE_TOKENIZER_FIELDS);
                String file = fields.text("file");
                checkPlainFileName(fields, file);
                return TokenizerConfig.huggingFace(file, sha256(fields),
                        fields.integer("vocab_size"), fields.integer("max_tokens"),
                        root.resolve(file));
            }
            default -> throw fields.error("type '" + type + "' is not one of "
                    + String.join(", ", TokenizerConfig.TYPES));
        }
    }

    static String singular(String field) {
        return field.equals("inputs") ? "input" : "output";
    }
}
