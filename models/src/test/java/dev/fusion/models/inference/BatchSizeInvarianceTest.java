package dev.fusion.models.inference;

import static dev.fusion.models.TestArtifacts.maxAbsDiff;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.models.TestArtifacts;
import dev.fusion.models.manifest.FusionMode;
import dev.fusion.models.manifest.Modality;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A record's output does not depend on the batch it travels in: 256 records in one batch and the
 * same records one by one agree within {@value #TOLERANCE}, absolute for the feature routing and
 * integration models and relative to the row's largest value for text routing.
 *
 * <p>Bit-identity is not promised. On the development machine (x86-64, ONNX Runtime 1.28.0 CPU)
 * audio, image and both integration models were bit-identical, while text routing differed by up
 * to one float32 ulp of its largest embedding value (7.6e-6 at values near 130): its reduction
 * over the token axis runs another kernel for a batch of 256 than for a batch of 1.
 */
class BatchSizeInvarianceTest {

    private static final int ROWS = 256;
    private static final double TOLERANCE = 1e-6;

    @ParameterizedTest
    @ValueSource(strings = {Modality.AUDIO, Modality.IMAGE})
    void featureRouting(String modality) {
        try (RoutingModel model = RoutingModel.open(
                TestArtifacts.manifest(), modality, TestArtifacts.CPU)) {
            float[][] features = RandomInputs.features(ROWS, model.inputDim(), 7);
            RoutingResult batch = model.route(features);
            for (int row = 0; row < ROWS; row++) {
                RoutingResult one = model.route(new float[][] {features[row]});
                assertSameRouting(batch, row, one, 1);
            }
        }
    }

    @Test
    void textRouting() {
        try (TextRoutingModel model = TextRoutingModel.open(
                TestArtifacts.manifest(), TestArtifacts.CPU)) {
            // Padded to the longest of 256 rows versus not padded at all.
            List<String> texts = RandomInputs.texts(ROWS, 11);
            RoutingResult batch = model.routeTexts(texts);
            for (int row = 0; row < ROWS; row++) {
                RoutingResult one = model.routeTexts(List.of(texts.get(row)));
                assertSameRouting(batch, row, one, scale(one.embedding(0)));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(FusionMode.class)
    void integration(FusionMode mode) {
        try (IntegrationModel model = IntegrationModel.open(
                TestArtifacts.manifest(), mode, TestArtifacts.CPU)) {
            IntegrationBatch rows = RandomInputs.integration(ROWS, model.embeddingDim(), 13);
            IntegrationResult batch = model.fuse(rows);
            for (int row = 0; row < ROWS; row++) {
                IntegrationResult one = model.fuse(RandomInputs.single(rows, row));
                assertThat(maxAbsDiff(batch.fused(row), one.fused(0)))
                        .as("fused row %d", row).isLessThanOrEqualTo(TOLERANCE);
                assertThat(maxAbsDiff(batch.weights(row), one.weights(0)))
                        .as("weights row %d", row).isLessThanOrEqualTo(TOLERANCE);
                assertThat(maxAbsDiff(batch.scores(row), one.scores(0)))
                        .as("scores row %d", row).isLessThanOrEqualTo(TOLERANCE);
            }
        }
    }

    private static void assertSameRouting(
            RoutingResult batch, int row, RoutingResult one, double scale) {
        assertThat(maxAbsDiff(batch.embedding(row), one.embedding(0)))
                .as("embedding row %d", row).isLessThanOrEqualTo(TOLERANCE * scale);
        assertThat(Math.abs((double) batch.gateLogit(row) - one.gateLogit(0)))
                .as("gate_logit row %d", row)
                .isLessThanOrEqualTo(TOLERANCE * Math.max(scale, Math.abs(one.gateLogit(0))));
    }

    /** The largest magnitude in a row, at least 1: float32 rounding error grows with it. */
    private static double scale(float[] values) {
        double max = 1;
        for (float v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }
}
