package dev.fusion.models.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusion.models.TestArtifacts;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committed manifest loads from the directory and from the classpath, and is what it says. */
class ModelManifestTest {

    @Test
    void loadsTheCommittedArtifacts() {
        ModelManifest manifest = ModelManifest.load(TestArtifacts.dir());

        assertThat(manifest.embeddingDim()).isEqualTo(64);
        assertThat(manifest.numClasses()).isEqualTo(8);
        assertThat(manifest.models()).extracting(ModelSpec::name).containsExactlyInAnyOrder(
                "text-routing", "audio-routing", "image-routing",
                "integration-max", "integration-weighted");
        assertThat(manifest.routing(Modality.AUDIO).inputDim()).isEqualTo(128);
        assertThat(manifest.routing(Modality.IMAGE).inputDim()).isEqualTo(512);
        assertThat(manifest.routing(Modality.TEXT).tokenizer()).isEqualTo(new TokenizerConfig(
                "hashing", "NFKC", true, 2, 16384, 256, "fnv1a64"));
        assertThat(manifest.integration(FusionMode.MAX).fusionMode()).isEqualTo(FusionMode.MAX);
        assertThat(manifest.integration(FusionMode.WEIGHTED).name())
                .isEqualTo("integration-weighted");
        assertThat(manifest.routing(Modality.AUDIO).input(TensorNames.FEATURES))
                .isEqualTo(new TensorSpec("features", DataType.FLOAT32, -1, 128));
        assertThat(manifest.routing(Modality.AUDIO).source().path())
                .contains(TestArtifacts.dir().resolve(manifest.routing(Modality.AUDIO).file()));
    }

    @Test
    void loadsTheBundledCopyWithTheSameModels() {
        ModelManifest fromDir = ModelManifest.load(TestArtifacts.dir());
        ModelManifest bundled = ModelManifest.loadBundled();

        assertThat(bundled.location()).isEqualTo("classpath:fusion-models/");
        assertThat(bundled.version()).isEqualTo(fromDir.version());
        List<String> dirShas = fromDir.models().stream().map(ModelSpec::sha256).toList();
        assertThat(bundled.models()).extracting(ModelSpec::sha256)
                .containsExactlyElementsOf(dirShas);
        assertThat(bundled.routing(Modality.TEXT).source().describe())
                .startsWith("classpath:fusion-models/");
    }

    @Test
    void opensOtherArtifactsBesideTheManifest() throws IOException {
        try (InputStream in = ModelManifest.loadBundled().openArtifact("generator.json")) {
            assertThat(TestArtifacts.JSON.readTree(in).isObject()).isTrue();
        }
        assertThatThrownBy(() -> TestArtifacts.manifest().openArtifact("../pom.xml"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("artifact name '../pom.xml' must be relative to the manifest");
    }

    @Test
    void namesTheModelsThatExist() {
        assertThatThrownBy(() -> TestArtifacts.manifest().model("video-routing"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("no model 'video-routing' in the manifest; models: [")
                .hasMessageContaining("audio-routing");
    }

    @Test
    void failsOnADirectoryWithoutManifest(@TempDir Path empty)
            throws IOException {
        Files.createDirectories(empty);
        assertThatThrownBy(() -> ModelManifest.load(empty))
                .isInstanceOf(ModelValidationException.class)
                .hasMessage("model directory " + empty.toAbsolutePath() + " has no manifest.json");
    }
}
