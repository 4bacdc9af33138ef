package dev.fusion.models.manifest;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusion.models.TestArtifacts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A copy of the artifacts with one thing wrong fails to load with the promised message. Each test
 * edits the copied manifest.json (or a model file) in a temporary directory.
 */
class ManifestMismatchTest {

    @TempDir
    Path dir;

    @BeforeEach
    void copyArtifacts() throws IOException {
        try (Stream<Path> files = Files.list(TestArtifacts.dir())) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(file)) {
                    Files.copy(file, dir.resolve(file.getFileName()));
                }
            }
        }
    }

    @Test
    void wrongSha256() throws IOException {
        String zeros = "0".repeat(64);
        editModel("audio-routing", m -> m.put("sha256", zeros));
        String actual = ArtifactVerifier.sha256(
                Files.readAllBytes(dir.resolve(file("audio-routing"))));

        assertFails("model 'audio-routing': sha256 of " + file("audio-routing") + " is " + actual
                + " but the manifest says " + zeros);
    }

    @Test
    void malformedSha256() throws IOException {
        editModel("audio-routing", m -> m.put("sha256", "ABC"));
        assertFails("model 'audio-routing': sha256 'ABC' is not 64 lower-case hex digits");
    }

    @Test
    void modelFileChangedAfterExport() throws IOException {
        Path onnx = dir.resolve(file("image-routing"));
        byte[] bytes = Files.readAllBytes(onnx);
        bytes[bytes.length - 1] ^= 1;
        Files.write(onnx, bytes);

        assertThatThrownBy(() -> ModelManifest.load(dir))
                .isInstanceOf(ModelValidationException.class)
                .hasMessageStartingWith("model 'image-routing': sha256 of " + file("image-routing")
                        + " is ");
    }

    @Test
    void missingFile() throws IOException {
        Files.delete(dir.resolve(file("audio-routing")));
        assertFails("model 'audio-routing': file " + file("audio-routing") + " not found ("
                + dir.toAbsolutePath().resolve(file("audio-routing")) + ")");
    }

    @Test
    void fileOutsideTheModelDirectory() throws IOException {
        editModel("audio-routing", m -> m.put("file", "../audio_routing.onnx"));
        assertFails("model 'audio-routing': file '../audio_routing.onnx' must be a relative path"
                + " inside the model directory");
    }

    @Test
    void wrongInputName() throws IOException {
        editModel("audio-routing", m -> tensor(m, "inputs", "features").put("name", "feature"));
        assertFails("model 'audio-routing': the ONNX file has inputs [features] but the manifest"
                + " declares [feature]");
    }

    @Test
    void missingOutput() throws IOException {
        editModel("text-routing", m -> {
            ArrayNode outputs = (ArrayNode) m.get("outputs");
            for (int i = 0; i < outputs.size(); i++) {
                if (outputs.get(i).get("name").asText().equals("gate_logit")) {
                    outputs.remove(i);
                }
            }
        });
        assertFails("model 'text-routing': the ONNX file has outputs [embedding, gate_logit] but"
                + " the manifest declares [embedding]");
    }

    @Test
    void wrongDtype() throws IOException {
        editModel("audio-routing", m -> tensor(m, "inputs", "features").put("dtype", "int64"));
        assertFails("model 'audio-routing': input 'features' has dtype float32 in the ONNX file"
                + " but int64 in the manifest");
    }

    @Test
    void unknownDtype() throws IOException {
        editModel("audio-routing", m -> tensor(m, "inputs", "features").put("dtype", "float16"));
        assertFails("model 'audio-routing': input 'features' has dtype 'float16'; valid values:"
                + " float32, int64");
    }

    @Test
    void wrongInputShape() throws IOException {
        editModel("audio-routing", m -> {
            m.put("input_dim", 127);
            shape(tensor(m, "inputs", "features"), -1, 127);
        });
        assertFails("model 'audio-routing': input 'features' has shape [-1, 128] in the ONNX file"
                + " but [-1, 127] in the manifest");
    }

    @Test
    void wrongOutputRank() throws IOException {
        editModel("image-routing", m -> shape(tensor(m, "outputs", "gate_logit"), -1, 1));
        assertFails("model 'image-routing': output 'gate_logit' has shape [-1] in the ONNX file"
                + " but [-1, 1] in the manifest");
    }

    @Test
    void fixedBatchAxisWhereTheFileHasADynamicOne() throws IOException {
        editModel("integration-max", m -> shape(tensor(m, "inputs", "mask"), 16, 3));
        assertFails("model 'integration-max': input 'mask' has shape [-1, 3] in the ONNX file"
                + " but [16, 3] in the manifest");
    }

    @Test
    void wrongEmbeddingDim() throws IOException {
        edit(root -> root.put("embedding_dim", 65));
        String first = TestArtifacts.manifest().models().get(0).name();
        String output = first.startsWith("integration") ? "fused" : "embedding";
        assertFails("model '" + first + "': output '" + output + "' has shape [-1, 64] but"
                + " embedding_dim 65 requires [-1, 65]");
    }

    @Test
    void wrongInputDim() throws IOException {
        editModel("audio-routing", m -> m.put("input_dim", 127));
        assertFails("model 'audio-routing': input 'features' has shape [-1, 128] but input_dim 127"
                + " requires [-1, 127]");
    }

    @Test
    void missingInputDim() throws IOException {
        editModel("image-routing", m -> m.remove("input_dim"));
        assertFails("model 'image-routing': input_dim must be a positive integer for the"
                + " routing model of the feature modality 'image' but is null");
    }

    @Test
    void wrongNumClasses() throws IOException {
        edit(root -> root.put("num_classes", 9));
        String first = TestArtifacts.manifest().models().stream()
                .filter(m -> m.role() == ModelRole.INTEGRATION).findFirst().orElseThrow().name();
        assertFails("model '" + first + "': output 'scores' has shape [-1, 8] but num_classes 9"
                + " requires [-1, 9]");
    }

    @Test
    void aRoutingModelOfAnUndeclaredModality() throws IOException {
        edit(root -> ((ArrayNode) root.get("modalities")).remove(2));
        assertFails("model 'image-routing': modality 'image' is not one of the manifest's"
                + " modalities [text, audio]");
    }

    @Test
    void aDeclaredModalityWithoutRoutingModel() throws IOException {
        edit(root -> ((ArrayNode) root.get("modalities")).add("depth"));
        assertFails("manifest.json: no routing model for modality 'depth'");
    }

    @Test
    void aModalityDeclaredTwiceOrBadlyNamedOrNone() throws IOException {
        edit(root -> ((ArrayNode) root.get("modalities")).add("audio"));
        assertFails("manifest.json: modality 'audio' appears more than once in modalities");

        edit(root -> ((ArrayNode) root.get("modalities")).set(3, "Depth Camera"));
        assertFails("manifest.json: modality name \"Depth Camera\" must be 1 to 32 lower-case"
                + " letters, digits, '-' or '_', starting with a letter");

        edit(root -> ((ArrayNode) root.get("modalities")).removeAll());
        assertFails("manifest.json: modalities is empty; a manifest declares at least one");
    }

    @Test
    void theIntegrationModelMustHaveASlotPerModality() throws IOException {
        // Two modalities declared, but the integration models were exported for three.
        edit(root -> {
            ((ArrayNode) root.get("modalities")).remove(2);
            ArrayNode models = (ArrayNode) root.get("models");
            for (int i = 0; i < models.size(); i++) {
                if (models.get(i).get("name").asText().equals("image-routing")) {
                    models.remove(i);
                }
            }
        });
        assertFails("model 'integration-max': input 'embeddings' has shape [-1, 3, 64] but"
                + " embedding_dim 64 and 2 modalities [text, audio] requires [-1, 2, 64]");
    }

    @Test
    void missingFusionMode() throws IOException {
        editModel("integration-max", m -> m.remove("fusion_mode"));
        assertFails("model 'integration-max': field 'fusion_mode' is missing");
    }

    @Test
    void unknownFusionMode() throws IOException {
        editModel("integration-max", m -> m.put("fusion_mode", "mean"));
        assertFails("model 'integration-max': field 'fusion_mode': unknown fusion mode 'mean';"
                + " valid values: max, weighted");
    }

    @Test
    void duplicateFusionMode() throws IOException {
        editModel("integration-weighted", m -> m.put("fusion_mode", "max"));
        assertFails("manifest.json: models 'integration-max' and 'integration-weighted' both use"
                + " fusion mode 'max'");
    }

    @Test
    void missingRoutingModel() throws IOException {
        edit(root -> {
            ArrayNode models = (ArrayNode) root.get("models");
            for (int i = 0; i < models.size(); i++) {
                if (models.get(i).get("name").asText().equals("image-routing")) {
                    models.remove(i);
                    return;
                }
            }
        });
        assertFails("manifest.json: no routing model for modality 'image'");
    }

    @Test
    void missingTokenizer() throws IOException {
        editModel("text-routing", m -> m.remove("tokenizer"));
        assertFails("model 'text-routing': field 'tokenizer' is missing (its input 'input_ids'"
                + " makes it a text routing model, and a text routing model needs one)");
    }

    @Test
    void tokenizerVocabularyTooSmall() throws IOException {
        editModel("text-routing", m -> ((ObjectNode) m.get("tokenizer")).put("vocab_size", 1));
        assertFails("model 'text-routing': tokenizer vocab_size must be at least 2 but is 1");
    }

    @Test
    void tokenizerVocabularyLargerThanTheEmbeddingTable() throws IOException {
        editModel("text-routing", m -> ((ObjectNode) m.get("tokenizer")).put("vocab_size", 16385));
        assertThatThrownBy(() -> ModelManifest.load(dir))
                .isInstanceOf(ModelValidationException.class)
                .hasMessageStartingWith("model 'text-routing': the model refuses token id 16384, the"
                        + " largest its tokenizer produces (vocab_size 16385); is vocab_size larger"
                        + " than the model's embedding table? ONNX Runtime: ");
    }

    @Test
    void opsetOtherThanTheFileImports() throws IOException {
        editModel("image-routing", m -> m.put("opset", 13));
        assertFails("model 'image-routing': opset 13 in the manifest but " + file("image-routing")
                + " imports ai.onnx opset 17");
    }

    @Test
    void unknownManifestField() throws IOException {
        edit(root -> root.put("embeding_dim", 64));
        assertFails("manifest.json: unknown field 'embeding_dim'; the fields are [embedding_dim,"
                + " manifest_version, modalities, model_family, models, num_classes, version]");
    }

    @Test
    void unknownModelField() throws IOException {
        editModel("audio-routing", m -> m.put("inputdim", 128));
        assertFails("model 'audio-routing': unknown field 'inputdim'; the fields are [file,"
                + " fusion_mode, input_dim, inputs, modality, name, opset, outputs, role, sha256,"
                + " tokenizer, version]");
    }

    @Test
    void unknownTokenizerField() throws IOException {
        editModel("text-routing", m -> ((ObjectNode) m.get("tokenizer")).put("lower_case", true));
        assertFails("model 'text-routing': tokenizer: unknown field 'lower_case'; the fields are"
                + " [hash, lowercase, max_tokens, ngram_max, normalization, type, vocab_size]");
    }

    @Test
    void unknownTokenizerType() throws IOException {
        editModel("text-routing",
                m -> ((ObjectNode) m.get("tokenizer")).put("type", "sentencepiece"));
        assertFails("model 'text-routing': tokenizer: type 'sentencepiece' is not one of hashing,"
                + " huggingface");
    }

    @Test
    void huggingFaceTokenizerWithAHashingField() throws IOException {
        editModel("text-routing", m -> m.set("tokenizer", huggingFace().put("lowercase", true)));
        assertFails("model 'text-routing': tokenizer: unknown field 'lowercase'; the fields are"
                + " [file, max_tokens, sha256, type, vocab_size]");
    }

    @Test
    void huggingFaceTokenizerFileMissing() throws IOException {
        editModel("text-routing", m -> m.set("tokenizer", huggingFace()));
        assertFails("model 'text-routing': file tokenizer.json not found ("
                + dir.toAbsolutePath().normalize().resolve("tokenizer.json") + ")");
    }

    @Test
    void huggingFaceTokenizerFileOutsideTheModelDirectory() throws IOException {
        editModel("text-routing", m -> m.set("tokenizer", huggingFace().put("file", "../t.json")));
        assertFails("model 'text-routing': tokenizer: file '../t.json' must be a relative path"
                + " inside the model directory");
    }

    @Test
    void tokenizerWithTrigrams() throws IOException {
        editModel("text-routing", m -> ((ObjectNode) m.get("tokenizer")).put("ngram_max", 3));
        assertFails("model 'text-routing': tokenizer ngram_max must be 2 but is 3");
    }

    @Test
    void tokenizerWithAnotherHash() throws IOException {
        editModel("text-routing", m -> ((ObjectNode) m.get("tokenizer")).put("hash", "murmur3"));
        assertFails("model 'text-routing': tokenizer hash must be 'fnv1a64' but is 'murmur3'");
    }

    @Test
    void tokenizerFieldMissing() throws IOException {
        editModel("text-routing", m -> ((ObjectNode) m.get("tokenizer")).remove("max_tokens"));
        assertFails("model 'text-routing': tokenizer: field 'max_tokens' is missing");
    }

    @Test
    void unsupportedManifestVersion() throws IOException {
        edit(root -> root.put("manifest_version", 2));
        assertFails("manifest.json: manifest_version 2 is not supported (only 1)");
    }

    @Test
    void fieldOfTheWrongType() throws IOException {
        edit(root -> root.put("embedding_dim", "64"));
        assertFails("manifest.json: field 'embedding_dim' must be an integer but is \"64\"");
    }

    @Test
    void notJson() throws IOException {
        Files.writeString(dir.resolve("manifest.json"), "{\"models\": [");
        assertThatThrownBy(() -> ModelManifest.load(dir))
                .isInstanceOf(ModelValidationException.class)
                .hasMessageStartingWith(dir.toAbsolutePath() + "/manifest.json is not valid JSON:");
    }

    private static ObjectNode huggingFace() {
        ObjectNode tokenizer = TestArtifacts.JSON.createObjectNode();
        return tokenizer.put("type", "huggingface").put("file", "tokenizer.json")
                .put("sha256", "0".repeat(64)).put("vocab_size", 16384).put("max_tokens", 256);
    }

    private void assertFails(String message) {
        assertThatThrownBy(() -> ModelManifest.load(dir))
                .isInstanceOf(ModelValidationException.class)
                .hasMessage(message);
    }

    private String file(String model) {
        return TestArtifacts.manifest().model(model).file();
    }

    private void edit(Consumer<ObjectNode> change) throws IOException {
        Path manifest = dir.resolve("manifest.json");
        ObjectNode root = (ObjectNode) TestArtifacts.JSON.readTree(manifest.toFile());
        change.accept(root);
        TestArtifacts.JSON.writerWithDefaultPrettyPrinter().writeValue(manifest.toFile(), root);
    }

    private void editModel(String name, Consumer<ObjectNode> change) throws IOException {
        edit(root -> {
            for (JsonNode model : root.get("models")) {
                if (model.get("name").asText().equals(name)) {
                    change.accept((ObjectNode) model);
                    return;
                }
            }
            throw new AssertionError("no model " + name);
        });
    }

    private static ObjectNode tensor(ObjectNode model, String field, String name) {
        for (JsonNode tensor : model.get(field)) {
            if (tensor.get("name").asText().equals(name)) {
                return (ObjectNode) tensor;
            }
        }
        throw new AssertionError("no " + field + " " + name);
    }

    private static void shape(ObjectNode tensor, long... dims) {
        ArrayNode shape = tensor.putArray("shape");
        for (long d : dims) {
            shape.add(d);
        }
    }
}
