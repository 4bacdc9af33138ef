package dev.fusion.models.manifest;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Checks that a parsed manifest is self-consistent and declares the tensors of the contract. */
final class ContractValidator {

    private static final long DYN = TensorSpec.DYNAMIC;

    private ContractValidator() {
    }

    /** A tensor the contract requires, and what fixes its shape (for the message). */
    private record Expected(TensorSpec spec, String shapeReason) {
    }

    static void validate(ModelManifest manifest) {
        String where = ArtifactRoot.MANIFEST_FILE + ": ";
        if (manifest.embeddingDim() < 1) {
            throw new ModelValidationException(
                    where + "embedding_dim must be at least 1 but is " + manifest.embeddingDim());
        }
        if (manifest.numClasses() < 1) {
            throw new ModelValidationException(
                    where + "num_classes must be at least 1 but is " + manifest.numClasses());
        }
        Set<String> names = new HashSet<>();
        Map<String, ModelSpec> routing = new HashMap<>();
        Map<FusionMode, ModelSpec> integration = new EnumMap<>(FusionMode.class);
        for (ModelSpec model : manifest.models()) {
            if (!names.add(model.name())) {
                throw new ModelValidationException(
                        where + "model name '" + model.name() + "' appears more than once");
            }
            ModelSpec previous = model.role() == ModelRole.ROUTING
                    ? routing.put(model.modality(), model)
                    : integration.put(model.fusionMode(), model);
            if (previous != null) {
                String what = model.role() == ModelRole.ROUTING
                        ? "route modality '" + model.modality() + "'"
                        : "use fusion mode '" + model.fusionMode() + "'";
                throw new ModelValidationException(where + "models '" + previous.name()
                        + "' and '" + model.name() + "' both " + what);
            }
            validateModel(manifest, model);
        }
        if (integration.isEmpty()) {
            throw new ModelValidationException(where + "no integration model");
        }
    }

    private static void validateModel(ModelManifest manifest, ModelSpec model) {
        int dim = manifest.embeddingDim();
        String dimReason = "embedding_dim " + dim;
        List<Expected> inputs = new ArrayList<>();
        List<Expected> outputs = new ArrayList<>();
        if (model.role() == ModelRole.ROUTING) {
            if (manifest.modality(model.modality()).isText()) {
                validateTokenizer(model);
                inputs.add(new Expected(new TensorSpec(
                        TensorNames.INPUT_IDS, DataType.INT64, DYN, DYN), "the contract"));
            } else {
                if (model.inputs().stream().anyMatch(t -> t.name().equals(TensorNames.INPUT_IDS))) {
                    throw new ModelValidationException(model.label() + ": field 'tokenizer' is"
                            + " missing (its input '" + TensorNames.INPUT_IDS + "' makes it a text"
                            + " routing model, and a text routing model needs one)");
                }
                Integer inputDim = model.inputDim();
                if (inputDim == null || inputDim < 1) {
                    throw new ModelValidationException(model.label() + ": input_dim must be a"
                            + " positive integer for the routing model of the feature modality '"
                            + model.modality() + "' but is " + inputDim);
                }
                inputs.add(new Expected(new TensorSpec(
                        TensorNames.FEATURES, DataType.FLOAT32, DYN, inputDim),
                        "input_dim " + inputDim));
            }
            outputs.add(new Expected(new TensorSpec(
                    TensorNames.EMBEDDING, DataType.FLOAT32, DYN, dim), dimReason));
            outputs.add(new Expected(new TensorSpec(
                    TensorNames.GATE_LOGIT, DataType.FLOAT32, DYN), "the contract"));
        } else {
            int m = manifest.modalities().size();
            String modalities = m + " modalities " + manifest.modalities();
            inputs.add(new Expected(new TensorSpec(
                    TensorNames.EMBEDDINGS, DataType.FLOAT32, DYN, m, dim),
                    dimReason + " and " + modalities));
            inputs.add(new Expected(new TensorSpec(
                    TensorNames.GATES, DataType.FLOAT32, DYN, m), modalities));
            inputs.add(new Expected(new TensorSpec(
                    TensorNames.MASK, DataType.FLOAT32, DYN, m), modalities));
            outputs.add(new Expected(new TensorSpec(
                    TensorNames.FUSED, DataType.FLOAT32, DYN, dim), dimReason));
            outputs.add(new Expected(new TensorSpec(
                    TensorNames.WEIGHTS, DataType.FLOAT32, DYN, m), modalities));
            outputs.add(new Expected(new TensorSpec(
                    TensorNames.SCORES, DataType.FLOAT32, DYN, manifest.numClasses()),
                    "num_classes " + manifest.numClasses()));
        }
        compare(model, "inputs", model.inputs(), inputs);
        compare(model, "outputs", model.outputs(), outputs);
    }

    private static void compare(
            ModelSpec model, String field, List<TensorSpec> declared, List<Expected> expected) {
        Set<String> declaredNames = new TreeSet<>();
        declared.forEach(spec -> declaredNames.add(spec.name()));
        Set<String> expectedNames = new TreeSet<>();
        expected.forEach(e -> expectedNames.add(e.spec().name()));
        if (declared.size() != declaredNames.size() || !declaredNames.equals(expectedNames)) {
            throw new ModelValidationException(model.label() + ": " + field + " are "
                    + names(declared) + " but the contract requires " + expectedNames);
        }
        String kind = ManifestParser.singular(field);
        for (Expected e : expected) {
            TensorSpec want = e.spec();
            TensorSpec have = declared.stream()
                    .filter(spec -> spec.name().equals(want.name())).findFirst().orElseThrow();
            if (have.dataType() != want.dataType()) {
                throw new ModelValidationException(model.label() + ": " + kind + " '"
                        + want.name() + "' has dtype " + have.dataType()
                        + " but the contract requires " + want.dataType());
            }
            if (!have.equals(want)) {
                throw new ModelValidationException(model.label() + ": " + kind + " '"
                        + want.name() + "' has shape " + have.shapeString() + " but "
                        + e.shapeReason() + " requires " + want.shapeString());
            }
        }
    }

    private static List<String> names(List<TensorSpec> specs) {
        List<String> names = new ArrayList<>();
        specs.forEach(spec -> names.add(spec.name()));
        return names;
    }

    private static void validateTokenizer(ModelSpec model) {
        TokenizerConfig t = model.tokenizer();
        String where = model.label() + ": tokenizer ";
        if (t == null) {
            throw new ModelValidationException(model.label()
                    + ": field 'tokenizer' is missing (a text routing model needs one)");
        }
        if (t.type().equals(TokenizerConfig.TYPE_HASHING)) {
            requireEqual(where, "normalization", TokenizerConfig.NORMALIZATION_NFKC,
                    t.normalization());
            requireEqual(where, "hash", TokenizerConfig.HASH_FNV1A64, t.hash());
            if (!t.lowercase()) {
                throw new ModelValidationException(where + "lowercase must be true but is false");
            }
            if (t.ngramMax() != TokenizerConfig.NGRAM_MAX) {
                throw new ModelValidationException(where + "ngram_max must be "
                        + TokenizerConfig.NGRAM_MAX + " but is " + t.ngramMax());
            }
        }
        if (t.vocabSize() < 2) {
            throw new ModelValidationException(
                    where + "vocab_size must be at least 2 but is " + t.vocabSize());
        }
        if (t.maxTokens() < 1) {
            throw new ModelValidationException(
                    where + "max_tokens must be at least 1 but is " + t.maxTokens());
        }
    }

    private static void requireEqual(String where, String field, String want, String have) {
        if (!want.equals(have)) {
            throw new ModelValidationException(
                    where + field + " must be '" + want + "' but is '" + have + "'");
        }
    }
}
