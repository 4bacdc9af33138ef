package dev.fusion.models.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.models.TestArtifacts;
import dev.fusion.models.manifest.FusionMode;
import dev.fusion.models.manifest.Modality;
import dev.fusion.models.manifest.ModelManifest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Model sets of other shapes than the bundled one ({@code models/model-sets}, made by
 * {@code models/training/model_sets.py}) load and run: M routing models of their own dimensions,
 * and integration models of M slots whose absent slots weigh exactly 0.
 */
class OtherModelSetsTest {

    @ParameterizedTest
    @CsvSource({
        "wide,        text audio image,             text:0 audio:40 image:2048",
        "two-stream,  text image,                   text:0 image:256",
        "five-stream, text audio image depth imu,   text:0 audio:40 image:2048 depth:16 imu:6"})
    void everyModalityRoutesAndFusesWithItsOwnShape(String set, String modalities, String dims) {
        ModelManifest manifest = ModelManifest.load(Path.of("model-sets", set));
        List<String> names = List.of(modalities.trim().split(" +"));
        assertThat(manifest.modalities()).extracting(Modality::id).containsExactlyElementsOf(names);
        assertThat(manifest.embeddingDim()).isEqualTo(32);
        assertThat(manifest.numClasses()).isEqualTo(5);
        int m = names.size();

        // One routed row per modality, from inputs of the declared dimension.
        float[][] embeddings = new float[m][];
        float[] gates = new float[m];
        for (String dim : dims.trim().split(" +")) {
            Modality modality = manifest.modality(dim.substring(0, dim.indexOf(':')));
            int inputDim = Integer.parseInt(dim.substring(dim.indexOf(':') + 1));
            RoutingResult routed;
            if (modality.isText()) {
                assertThat(inputDim).isZero();
                try (TextRoutingModel text = TextRoutingModel.open(manifest, modality, TestArtifacts.CPU)) {
                    routed = text.routeTexts(List.of("a sensor frame of the entity"));
                }
            } else {
                assertThat(manifest.routing(modality).inputDim()).isEqualTo(inputDim);
                try (RoutingModel features = RoutingModel.open(manifest, modality, TestArtifacts.CPU)) {
                    routed = features.route(RandomInputs.features(1, inputDim, modality.index()));
                }
            }
            embeddings[modality.index()] = routed.embedding(0);
            assertThat(embeddings[modality.index()]).hasSize(32);
            gates[modality.index()] = routed.gateLogit(0);
        }

        for (FusionMode mode : FusionMode.values()) {
            try (IntegrationModel fuse = IntegrationModel.open(manifest, mode, TestArtifacts.CPU)) {
                // Every non-empty subset of the modalities.
                IntegrationBatch batch = fuse.newBatch(1 << m);
                List<Integer> patterns = new ArrayList<>();
                for (int pattern = 1; pattern < 1 << m; pattern++) {
                    float[][] row = new float[m][];
                    for (int i = 0; i < m; i++) {
                        row[i] = (pattern & 1 << i) != 0 ? embeddings[i] : null;
                    }
                    batch.add(row, gates);
                    patterns.add(pattern);
                }
                IntegrationResult result = fuse.fuse(batch);
                for (int r = 0; r < result.size(); r++) {
                    int pattern = patterns.get(r);
                    assertThat(result.fused(r)).hasSize(32);
                    assertThat(result.scores(r)).hasSize(5);
                    float[] weights = result.weights(r);
                    assertThat(weights).hasSize(m);
                    double sum = 0;
                    for (int i = 0; i < m; i++) {
                        if ((pattern & 1 << i) == 0) {
                            assertThat(weights[i]).as("%s %s pattern %d slot %d", set, mode, pattern, i)
                                    .isEqualTo(0f);
                        }
                        sum += weights[i];
                    }
                    assertThat(sum).as("%s %s pattern %d", set, mode, pattern)
                            .isCloseTo(1.0, Offset.offset(1e-5));
                }
            }
        }
    }
}
