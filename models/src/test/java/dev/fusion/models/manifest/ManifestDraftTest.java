package dev.fusion.models.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusion.models.TestArtifacts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A manifest drafted from the bundled ONNX files alone is the bundled manifest. */
class ManifestDraftTest {

    @TempDir
    Path dir;

    @Test
    void draftOfTheBundledFilesIsTheBundledManifest() throws IOException {
        JsonNode bundled = TestArtifacts.JSON.readTree(TestArtifacts.dir().resolve("manifest.json").toFile());

        String draft = TestArtifacts.JSON.writeValueAsString(
                ManifestDraft.of(TestArtifacts.dir(), "fusion-routing", "1.0.0"));

        // As written to a file and read back (number nodes compare by their Java type).
        assertThat(TestArtifacts.JSON.readTree(draft)).isEqualTo(bundled);
    }

    @Test
    void aDraftWrittenNextToItsFilesLoads() throws IOException {
        copy("text_routing.onnx", "audio_routing.onnx", "image_routing.onnx", "integration_max.onnx");
        TestArtifacts.JSON.writeValue(dir.resolve("manifest.json").toFile(),
                ManifestDraft.of(dir, "mine", "0.1.0"));

        ModelManifest loaded = ModelManifest.load(dir);

        assertThat(loaded.models()).extracting(ModelSpec::name).containsExactly(
                "text-routing", "audio-routing", "image-routing", "integration-max");
        assertThat(loaded.routing(Modality.TEXT).tokenizer().vocabSize()).isEqualTo(16384);
    }

    @Test
    void aFeatureModelWhoseNameGivesNoModalityIsRefusedByName() throws IOException {
        Files.copy(TestArtifacts.dir().resolve("audio_routing.onnx"), dir.resolve("3D sensor.onnx"));
        assertThatThrownBy(() -> ManifestDraft.of(dir, "mine", "0.1.0"))
                .isInstanceOf(ModelValidationException.class)
                .hasMessage("3D sensor.onnx: a feature routing model, but its name gives no"
                        + " modality name (1 to 32 lower-case letters, digits, '-' or '_',"
                        + " starting with a letter, then _routing); name it e.g."
                        + " audio_routing.onnx");
    }

    @Test
    void otherModalitiesAreNamedByTheirFilesAndFollowTheBundledOnes() throws IOException {
        Path fiveStream = Path.of("model-sets", "five-stream");
        try (var files = Files.list(fiveStream)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".onnx")).toList()) {
                Files.copy(file, dir.resolve(file.getFileName()));
            }
        }
        ObjectNode draft = ManifestDraft.of(dir, "mine", "0.1.0");

        assertThat(draft.get("modalities").toString())
                .isEqualTo("[\"text\",\"audio\",\"image\",\"depth\",\"imu\"]");
        assertThat(draft.get("embedding_dim").asInt()).isEqualTo(32);
        assertThat(draft.get("num_classes").asInt()).isEqualTo(5);
        Files.writeString(dir.resolve("manifest.json"), draft.toPrettyString());
        ModelManifest loaded = ModelManifest.load(dir);
        assertThat(loaded.modalities()).extracting(Modality::id)
                .containsExactly("text", "audio", "image", "depth", "imu");
        assertThat(loaded.routing("imu").inputDim()).isEqualTo(6);
    }

    private void copy(String... files) throws IOException {
        for (String f : files) {
            Files.copy(TestArtifacts.dir().resolve(f), dir.resolve(f));
        }
    }
}
