package dev.fusion.models.manifest;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusion.models.tokenizer.HuggingFaceTextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Drafts a manifest.json from the ONNX files of a directory, for the user to review: checksums,
 * opsets and signatures read from the files, roles from the tensor names of the contract, the
 * modality or fusion mode from each file's name, and the text model's vocabulary from the largest
 * token id its embedding accepts, or a HuggingFace {@code tokenizer.json} when the directory has
 * one (its checksum and vocabulary size). What the files cannot say (the family, the version, the
 * tokenizer's {@code max_tokens}) comes from the caller or takes the contract's default.
 */
public final class ManifestDraft {

    /** The tokenizer's {@code max_tokens} when nothing says otherwise (the bundled value). */
    public static final int DEFAULT_MAX_TOKENS = 256;
    /** A HuggingFace tokenizer beside the ONNX files; the text model then uses it. */
    public static final String HUGGINGFACE_TOKENIZER_FILE = "tokenizer.json";
    /** The largest vocabulary the probe looks for. */
    static final int MAX_VOCABULARY = 1 << 24;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> BUNDLED_ORDER =
            List.of(Modality.TEXT, Modality.AUDIO, Modality.IMAGE);

    private ManifestDraft() {
    }

    /** The draft for the {@code *.onnx} files of {@code dir}; fails naming a file it cannot place. */
    public static ObjectNode of(Path dir, String family, String version) {
        List<ObjectNode> models = new ArrayList<>();
        Integer embeddingDim = null;
        Integer numClasses = null;
        for (Path file : onnxFiles(dir)) {
            ObjectNode model = describe(file, version);
            models.add(model);
            if (model.get("role").asText().equals(ModelRole.ROUTING.id())) {
                embeddingDim = lastAxis(model, "outputs", TensorNames.EMBEDDING);
            } else {
                numClasses = lastAxis(model, "outputs", TensorNames.SCORES);
            }
        }
        if (models.isEmpty()) {
            throw new ModelValidationException("no .onnx files in " + dir);
        }
        models.sort(Comparator.comparingInt(ManifestDraft::rank)
                .thenComparing(m -> m.get("name").asText()));
        ObjectNode root = JSON.createObjectNode();
        root.put("manifest_version", ModelManifest.SUPPORTED_MANIFEST_VERSION);
        root.put("model_family", family);
        root.put("version", version);
        number(root, "embedding_dim", embeddingDim);
        number(root, "num_classes", numClasses);
        ArrayNode modalities = root.putArray("modalities");
        for (ObjectNode model : models) {
            if (model.has("modality")) {
                modalities.add(model.get("modality").asText());
            }
        }
        root.putArray("models").addAll(models);
        return root;
    }

    private static ObjectNode describe(Path file, String version) {
        String fileName = file.getFileName().toString();
        String stem = fileName.substring(0, fileName.length() - ".onnx".length());
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ModelValidationException("cannot read " + file + ": " + e.getMessage(), e);
        }
        ObjectNode model = JSON.createObjectNode();
        model.put("name", stem.toLowerCase(Locale.ROOT).replace('_', '-'));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(bytes, options)) {
                Map<String, NodeInfo> inputs = session.getInputInfo();
                Integer inputDim = null;
                boolean text = false;
                if (inputs.containsKey(TensorNames.INPUT_IDS)) {
                    model.put("role", ModelRole.ROUTING.id());
                    model.put("modality", modalityName(fileName, stem, Modality.TEXT));
                    text = true;
                } else if (inputs.containsKey(TensorNames.FEATURES)) {
                    model.put("role", ModelRole.ROUTING.id());
                    model.put("modality", modalityName(fileName, stem, null));
                    long[] shape = ((TensorInfo) inputs.get(TensorNames.FEATURES).getInfo()).getShape();
                    inputDim = shape.length == 2 && shape[1] > 0 ? (int) shape[1] : null;
                } else if (inputs.containsKey(TensorNames.EMBEDDINGS)) {
                    model.put("role", ModelRole.INTEGRATION.id());
                    model.put("fusion_mode", fusionMode(fileName, stem).id());
                } else {
                    throw new ModelValidationException(fileName + ": inputs " + inputs.keySet()
                            + " are none of the contract's (" + TensorNames.INPUT_IDS + ", "
                            + TensorNames.FEATURES + ", " + TensorNames.EMBEDDINGS + ")");
                }
                model.put("version", version);
                model.put("file", fileName);
                model.put("sha256", ArtifactVerifier.sha256(bytes));
                model.put("opset", OnnxOpset.defaultDomain(bytes));
                tensors(model.putArray("inputs"), inputs);
                tensors(model.putArray("outputs"), session.getOutputInfo());
                if (model.get("role").asText().equals(ModelRole.ROUTING.id())) {
                    number(model, "input_dim", inputDim);
                }
                if (text) {
                    Path huggingFace = file.resolveSibling(HUGGINGFACE_TOKENIZER_FILE);
                    model.set("tokenizer", Files.isRegularFile(huggingFace)
                            ? huggingFaceTokenizer(huggingFace)
                            : tokenizer(env, session));
                }
            }
        } catch (OrtException e) {
            throw new ModelValidationException(fileName + ": ONNX Runtime cannot load it: "
                    + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new ModelValidationException(fileName + ": " + e.getMessage(), e);
        }
        return model;
    }

    /**
     * The modality a routing model's file name gives: the part before {@code _routing} (so
     * {@code lidar_routing.onnx} routes {@code lidar}), else the whole name; a text model may be
     * named anything, and is then {@code text}.
     */
    private static String modalityName(String fileName, String stem, String textDefault) {
        String lower = stem.toLowerCase(Locale.ROOT);
        int suffix = lower.indexOf("_routing");
        String name = suffix > 0 ? lower.substring(0, suffix) : lower;
        if (Modality.ID.matcher(name).matches()) {
            return name;
        }
        if (textDefault != null) {
            return textDefault;
        }
        throw new ModelValidationException(fileName + ": a feature routing model, but its name"
                + " gives no modality name (1 to 32 lower-case letters, digits, '-' or '_',"
                + " starting with a letter, then _routing); name it e.g. audio_routing.onnx");
    }

    private static FusionMode fusionMode(String fileName, String stem) {
        String lower = stem.toLowerCase(Locale.ROOT);
        boolean max = lower.contains("max");
        boolean weighted = lower.contains("weighted");
        if (max == weighted) {
            throw new ModelValidationException(fileName + ": an integration model, but its name"
                    + " says neither max nor weighted (exactly one); name it e.g."
                    + " integration_max.onnx");
        }
        return max ? FusionMode.MAX : FusionMode.WEIGHTED;
    }

    private static void tensors(ArrayNode out, Map<String, NodeInfo> infos) {
        for (NodeInfo info : infos.values()) {
            if (!(info.getInfo() instanceof TensorInfo tensor)) {
                throw new IllegalArgumentException("'" + info.getName() + "' is not a tensor");
            }
            ObjectNode t = out.addObject();
            t.put("name", info.getName());
            t.put("dtype", DataType.describe(tensor.onnxType));
            ArrayNode shape = t.putArray("shape");
            for (long axis : tensor.getShape()) {
                shape.add(axis);
            }
        }
    }

    /** The hashing tokenizer with the vocabulary the model's embedding table holds. */
    private static ObjectNode tokenizer(OrtEnvironment env, OrtSession session) {
        ObjectNode t = JSON.createObjectNode();
        t.put("type", TokenizerConfig.TYPE_HASHING);
        t.put("normalization", TokenizerConfig.NORMALIZATION_NFKC);
        t.put("lowercase", true);
        t.put("ngram_max", TokenizerConfig.NGRAM_MAX);
        t.put("vocab_size", vocabulary(env, session));
        t.put("max_tokens", DEFAULT_MAX_TOKENS);
        t.put("hash", TokenizerConfig.HASH_FNV1A64);
        return t;
    }

    /**
     * The HuggingFace tokenizer file beside the text model; its vocabulary size is the file's (the
     * check then probes the model with its largest id).
     */
    private static ObjectNode huggingFaceTokenizer(Path file) {
        byte[] json;
        try {
            json = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ModelValidationException("cannot read " + file + ": " + e.getMessage(), e);
        }
        ObjectNode t = JSON.createObjectNode();
        t.put("type", TokenizerConfig.TYPE_HUGGINGFACE);
        t.put("file", HUGGINGFACE_TOKENIZER_FILE);
        t.put("sha256", ArtifactVerifier.sha256(json));
        t.put("vocab_size", HuggingFaceTextTokenizer.vocabularySize(json,
                HUGGINGFACE_TOKENIZER_FILE));
        t.put("max_tokens", DEFAULT_MAX_TOKENS);
        return t;
    }

    /** One more than the largest token id the model accepts, by bisection. */
    static int vocabulary(OrtEnvironment env, OrtSession session) {
        if (!accepts(env, session, 1)) {
            throw new IllegalArgumentException("the text model refuses token id 1");
        }
        int accepted = 1;
        int refused = MAX_VOCABULARY;
        if (accepts(env, session, refused)) {
            throw new IllegalArgumentException("the text model accepts token id " + refused
                    + "; its vocabulary cannot be found by probing");
        }
        while (refused - accepted > 1) {
            int mid = accepted + (refused - accepted) / 2;
            if (accepts(env, session, mid)) {
                accepted = mid;
            } else {
                refused = mid;
            }
        }
        return accepted + 1;
    }

    private static boolean accepts(OrtEnvironment env, OrtSession session, long id) {
        try (OnnxTensor ids = OnnxTensor.createTensor(env, new long[][] {{id}});
                OrtSession.Result ignored = session.run(Map.of(TensorNames.INPUT_IDS, ids))) {
            return true;
        } catch (OrtException e) {
            // An id past the embedding table fails the Gather; a model that also refuses id 1
            // is reported by the caller.
            return false;
        }
    }

    private static List<Path> onnxFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".onnx"))
                    .filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new ModelValidationException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Integer lastAxis(ObjectNode model, String field, String tensor) {
        for (var t : model.get(field)) {
            if (t.get("name").asText().equals(tensor)) {
                var shape = t.get("shape");
                long last = shape.get(shape.size() - 1).asLong();
                return last > 0 ? (int) last : null;
            }
        }
        return null;
    }

    /**
     * The bundled modalities first in their order (text, audio, image), then other routing models
     * by name, then the integration models by fusion mode. The order of routing models is the
     * order of the draft's {@code modalities}: the integration models' slots, for the user to
     * check.
     */
    private static int rank(ObjectNode model) {
        if (model.has("modality")) {
            int bundled = BUNDLED_ORDER.indexOf(model.get("modality").asText());
            return bundled >= 0 ? bundled : BUNDLED_ORDER.size();
        }
        return BUNDLED_ORDER.size() + 1
                + FusionMode.fromId(model.get("fusion_mode").asText()).ordinal();
    }

    private static void number(ObjectNode node, String field, Integer value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }
}
