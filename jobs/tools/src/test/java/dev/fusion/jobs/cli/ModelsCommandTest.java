package dev.fusion.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusion.models.manifest.ModelValidationException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code models check} and {@code models manifest} on copies of the bundled model directory. */
class ModelsCommandTest {

    private static final Path BUNDLED = Path.of("..", "..", "models", "artifacts");
    /** models' HuggingFace fixtures: tokenizer.json files and a 34-row text model. */
    private static final Path HF = Path.of("..", "..", "models", "src", "test", "resources", "hf");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void checkDescribesEveryModelAndPassesTheBundledDirectory() throws IOException {
        String out = run("check", BUNDLED.toString(), "--fusion-mode", "max,weighted");

        assertThat(out).contains("manifest fusion-routing 1.0.0, embedding_dim 64, num_classes 8");
        assertThat(out).contains("tokenizer hashing, vocab_size 16384 (every id accepted by the model),"
                + " max_tokens 256");
        assertThat(out).contains("  modalities (integration slots, M = 3): text (text), audio"
                + " (features 128), image (features 512)\n");
        assertThat(out).contains("inputs  features float32 [-1, 128]");
        assertThat(out).endsWith("ok: every check passed; integration model present for fusion mode"
                + " max, weighted\n");
    }

    @Test
    void checkFailsForAFusionModeWithoutIntegrationModel() throws IOException {
        copyOnnx("text_routing.onnx", "audio_routing.onnx", "image_routing.onnx", "integration_max.onnx");
        run("manifest", dir.toString(), "--family", "mine");

        assertThatThrownBy(() -> run("check", dir.toString(), "--fusion-mode", "weighted"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the manifest has no integration model for fusion mode 'weighted'; it has: [max]");
    }

    @Test
    void manifestDraftsAManifestThatPassesTheCheckAndRefusesToOverwrite() throws IOException {
        copyOnnx("text_routing.onnx", "audio_routing.onnx", "image_routing.onnx", "integration_max.onnx",
                "integration_weighted.onnx");

        String out = run("manifest", dir.toString(), "--family", "mine", "--version", "2.0.0");

        assertThat(out).startsWith("wrote " + dir.resolve("manifest.json") + " from 5 ONNX files;");
        assertThat(out).contains("manifest mine 2.0.0, embedding_dim 64, num_classes 8");
        assertThat(out).endsWith("ok: every check passed; integration model present for fusion mode max\n");
        assertThatThrownBy(() -> run("manifest", dir.toString()))
                .isInstanceOf(Args.UsageException.class)
                .hasMessage("models manifest: " + dir.resolve("manifest.json") + " exists; --force"
                        + " replaces it, --out FILE writes elsewhere");
    }

    @Test
    void checkNamesATokenizerLargerThanTheEmbeddingTable() throws IOException {
        copyOnnx("text_routing.onnx", "audio_routing.onnx", "image_routing.onnx", "integration_max.onnx");
        run("manifest", dir.toString());
        ObjectNode manifest = (ObjectNode) JSON.readTree(dir.resolve("manifest.json").toFile());
        ((ObjectNode) manifest.get("models").get(0).get("tokenizer")).put("vocab_size", 20000);
        JSON.writeValue(dir.resolve("manifest.json").toFile(), manifest);

        assertThatThrownBy(() -> run("check", dir.toString()))
                .isInstanceOf(ModelValidationException.class)
                .hasMessageStartingWith("model 'text-routing': the model refuses token id 19999");
    }

    @Test
    void checkPassesAFiveStreamSetAndNamesItsSlots() throws IOException {
        Path fiveStream = Path.of("..", "..", "models", "model-sets", "five-stream");

        String out = run("check", fiveStream.toString(), "--fusion-mode", "max,weighted");

        assertThat(out).contains("  modalities (integration slots, M = 5): text (text), audio"
                + " (features 40), image (features 2048), depth (features 16), imu (features 6)\n");
        assertThat(out).endsWith("ok: every check passed; integration model present for fusion mode"
                + " max, weighted\n");
    }

    @Test
    void manifestWritesTheHuggingFaceTokenizerBesideTheTextModelAndTheCheckLoadsIt()
            throws IOException {
        copyOnnx("audio_routing.onnx", "image_routing.onnx", "integration_max.onnx");
        Files.copy(HF.resolve("text_routing_tiny.onnx"), dir.resolve("text_routing.onnx"));
        Files.copy(HF.resolve("wordpiece/tokenizer.json"), dir.resolve("tokenizer.json"));

        String out = run("manifest", dir.toString(), "--family", "bert-text");

        JsonNode tokenizer = JSON.readTree(dir.resolve("manifest.json").toFile()).get("models")
                .get(0).get("tokenizer");
        assertThat(tokenizer.get("type").asText()).isEqualTo("huggingface");
        assertThat(out).contains("manifest bert-text 1.0.0, embedding_dim 64, num_classes 8");
        assertThat(out).contains("tokenizer huggingface tokenizer.json (sha256 "
                + tokenizer.get("sha256").asText().substring(0, 12) + "...), vocab_size 34 (every"
                + " id accepted by the model), max_tokens 256");
        assertThat(out).endsWith("ok: every check passed; integration model present for fusion"
                + " mode max\n");
    }

    @Test
    void checkNamesAHuggingFaceTokenizerLargerThanTheEmbeddingTable() throws IOException {
        copyOnnx("audio_routing.onnx", "image_routing.onnx", "integration_max.onnx");
        Files.copy(HF.resolve("text_routing_tiny.onnx"), dir.resolve("text_routing.onnx"));
        Files.copy(HF.resolve("bytelevel-bpe/tokenizer.json"), dir.resolve("tokenizer.json"));
        run("manifest", dir.toString(), "--out", dir.resolve("draft.json").toString());
        Files.move(dir.resolve("draft.json"), dir.resolve("manifest.json"));

        assertThatThrownBy(() -> run("check", dir.toString()))
                .isInstanceOf(ModelValidationException.class)
                .hasMessageStartingWith("model 'text-routing': the model refuses token id 268, the"
                        + " largest its tokenizer tokenizer.json produces (vocab_size 269)");
    }

    private void copyOnnx(String... files) throws IOException {
        for (String f : files) {
            Files.copy(BUNDLED.resolve(f), dir.resolve(f));
        }
    }

    private static String run(String... argv) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            ModelsCommand.run(argv, out);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
