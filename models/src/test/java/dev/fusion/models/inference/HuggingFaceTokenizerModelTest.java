package dev.fusion.models.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusion.models.TestArtifacts;
import dev.fusion.models.manifest.ManifestDraft;
import dev.fusion.models.manifest.ModelManifest;
import dev.fusion.models.manifest.ModelValidationException;
import dev.fusion.models.tokenizer.HfFixtures;
import dev.fusion.models.tokenizer.HuggingFaceTextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model directory whose text routing model (make_fixtures.py's random-weight
 * text_routing_tiny.onnx, 34 embedding rows) comes with the WordPiece tokenizer.json: drafted,
 * loaded and run; and the same model with the 269-token BPE, which the vocabulary probe refuses.
 */
class HuggingFaceTokenizerModelTest {

    @TempDir
    Path dir;

    @BeforeEach
    void modelDirectory() throws IOException {
        for (String file : List.of("audio_routing.onnx", "image_routing.onnx",
                "integration_max.onnx")) {
            Files.copy(TestArtifacts.dir().resolve(file), dir.resolve(file));
        }
        Files.copy(HfFixtures.path("text_routing_tiny.onnx"), dir.resolve("text_routing.onnx"));
    }

    @Test
    void draftedManifestLoadsAndTheModelRoutesTextsThroughTheTokenizer() throws IOException {
        Files.copy(HfFixtures.wordPiece(), dir.resolve("tokenizer.json"));

        ObjectNode draft = draft();

        assertThat(draft.get("models").get(0).get("tokenizer")).isEqualTo(TestArtifacts.JSON
                .readTree("{\"type\": \"huggingface\", \"file\": \"tokenizer.json\", \"sha256\": \""
                        + HfFixtures.sha256(HfFixtures.wordPiece()) + "\", \"vocab_size\": 34,"
                        + " \"max_tokens\": 256}"));
        ModelManifest manifest = ModelManifest.load(dir);
        List<String> texts = List.of("The quick brown fox jumps over the lazy dog.",
                "Grüße aus München!", "你好世界", "I love 🍕 and 🚀", "", "xylophone");
        TextRoutingModel model = TextRoutingModel.open(manifest, TestArtifacts.CPU);
        try (model) {
            assertThat(model.tokenizer()).isInstanceOf(HuggingFaceTextTokenizer.class);
            assertThat(model.tokenizer().vocabSize()).isEqualTo(34);

            RoutingResult routed = model.routeTexts(texts);

            assertThat(routed.size()).isEqualTo(6);
            assertThat(routed.dim()).isEqualTo(64);
            for (int row = 0; row < texts.size(); row++) {
                assertThat(routed.embedding(row)).hasSize(64);
                for (float value : routed.embedding(row)) {
                    assertThat(Float.isFinite(value)).as("row %d", row).isTrue();
                }
                assertThat(Float.isFinite(routed.gateLogit(row))).isTrue();
            }
            // Texts go through the file's ids: [CLS] gru ##ße aus mun ##chen ! [SEP].
            RoutingResult byIds = model.routeTokenIds(new long[][] {{2, 17, 18, 19, 20, 21, 5, 3}});
            assertThat(model.routeTexts(List.of(texts.get(1))).embedding(0))
                    .containsExactly(byIds.embedding(0));
            assertThat(routed.embedding(1)).isNotEqualTo(routed.embedding(0));
        }
        // Closed with the model.
        assertThatThrownBy(() -> model.tokenizer().encode("the dog"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("model 'text-routing': the tokenizer is closed");
    }

    @Test
    void vocabularyProbeRefusesATokenizerLargerThanTheEmbeddingTable() throws IOException {
        Files.copy(HfFixtures.byteLevelBpe(), dir.resolve("tokenizer.json"));
        draft();

        assertThatThrownBy(() -> ModelManifest.load(dir))
                .isInstanceOf(ModelValidationException.class)
                .hasMessageStartingWith("model 'text-routing': the model refuses token id 268, the"
                        + " largest its tokenizer tokenizer.json produces (vocab_size 269); is"
                        + " vocab_size larger than the model's embedding table? ONNX Runtime: ");
    }

    @Test
    void tokenizerFileChangedAfterTheDraftFailsTheLoadNamingTheModel() throws IOException {
        Files.copy(HfFixtures.wordPiece(), dir.resolve("tokenizer.json"));
        String declared = draft().get("models").get(0).get("tokenizer").get("sha256").asText();
        Files.writeString(dir.resolve("tokenizer.json"), "{}");

        assertThatThrownBy(() -> ModelManifest.load(dir))
                .isInstanceOf(ModelValidationException.class)
                .hasMessage("model 'text-routing': sha256 of tokenizer.json is "
                        + "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
                        + " but the manifest says " + declared);
    }

    private ObjectNode draft() throws IOException {
        ObjectNode draft = ManifestDraft.of(dir, "hf", "1.0.0");
        TestArtifacts.JSON.writeValue(dir.resolve("manifest.json").toFile(), draft);
        return draft;
    }
}
