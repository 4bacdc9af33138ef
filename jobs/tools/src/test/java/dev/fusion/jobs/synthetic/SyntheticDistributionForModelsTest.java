package dev.fusion.jobs.synthetic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.models.manifest.ModelManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The synthetic producers send what the served models take: the generator of a directory whose
 * generator.json matches its models, else records of the manifest's shapes, saying why there is
 * no ground truth.
 */
class SyntheticDistributionForModelsTest {

    private static final Path WIDE = Path.of("..", "..", "models", "model-sets", "wide");

    @Test
    void theBundledModelsGetTheirTrainingDistribution() {
        SyntheticDistribution dist = SyntheticDistribution.forModels(ModelManifest.loadBundled());

        assertThat(dist.noGroundTruth()).isEmpty();
        assertThat(dist.audioDim()).isEqualTo(128);
        assertThat(dist.imageDim()).isEqualTo(512);
        assertThat(dist.numClasses()).isEqualTo(8);
        // Absence 0.2/0.25/0.2 with the all-absent draw repeated: 2.35 / (1 - 0.01).
        assertThat(dist.eventsPerSample()).isCloseTo(2.35 / 0.99, Offset.offset(1e-12));
    }

    @Test
    void aDirectoryWithoutGeneratorGetsRecordsOfItsShapesAndNoAccuracy() {
        ModelManifest wide = ModelManifest.load(WIDE);
        SyntheticDistribution dist = SyntheticDistribution.forModels(wide);

        assertThat(dist.noGroundTruth()).hasValueSatisfying(why -> assertThat(why)
                .endsWith("generator.json does not exist"));
        assertThat(dist.audioDim()).isEqualTo(40);
        assertThat(dist.imageDim()).isEqualTo(2048);
        assertThat(dist.numClasses()).isEqualTo(5);
        Random random = new Random(3);
        int texts = 0;
        for (int i = 0; i < 2000; i++) {
            int y = dist.sampleClass(random);
            assertThat(y).isBetween(0, 4);
            SyntheticSample s = dist.sample(y, random);
            assertThat(s.text() != null || s.audio() != null || s.image() != null).isTrue();
            if (s.audio() != null) {
                assertThat(s.audio()).hasSize(40);
            }
            if (s.image() != null) {
                assertThat(s.image()).hasSize(2048);
            }
            texts += s.text() == null ? 0 : 1;
        }
        // Absence 0.2 each, the all-absent draw repeated: presence 0.8 / 0.992.
        assertThat(texts / 2000.0).isCloseTo(0.8 / 0.992, Offset.offset(0.03));
    }

    @Test
    void aGeneratorOfOtherShapesThanTheModelsIsNotUsed(@TempDir Path dir) throws Exception {
        try (var files = Files.list(WIDE)) {
            for (Path file : files.toList()) {
                Files.copy(file, dir.resolve(file.getFileName()));
            }
        }
        // The bundled generator describes 8 classes, audio 128-d and image 512-d.
        Files.copy(Path.of("..", "..", "models", "artifacts", "generator.json"),
                dir.resolve("generator.json"));

        SyntheticDistribution dist = SyntheticDistribution.forModels(ModelManifest.load(dir));

        assertThat(dist.noGroundTruth()).hasValueSatisfying(why -> assertThat(why)
                .endsWith("generator.json describes 8 classes, the models 5"));
        assertThat(dist.audioDim()).isEqualTo(40);
    }
}
