package dev.fusion.models.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusion.models.TestArtifacts;
import dev.fusion.models.manifest.FusionMode;
import dev.fusion.models.manifest.Modality;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad rows are refused before anything runs, with the row and field named for the caller. */
class InputValidationTest {

    private static RoutingModel audio;
    private static TextRoutingModel text;
    private static IntegrationModel integration;

    @BeforeAll
    static void open() {
        audio = RoutingModel.open(TestArtifacts.manifest(), Modality.AUDIO, TestArtifacts.CPU);
        text = TextRoutingModel.open(TestArtifacts.manifest(), TestArtifacts.CPU);
        integration = IntegrationModel.open(
                TestArtifacts.manifest(), FusionMode.MAX, TestArtifacts.CPU);
    }

    @AfterAll
    static void close() {
        audio.close();
        text.close();
        integration.close();
    }

    @Test
    void featuresOfTheWrongLength() {
        float[][] rows = {new float[128], new float[127]};
        assertThatThrownBy(() -> audio.route(rows))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.row()).isEqualTo(1);
                    assertThat(e.field()).isEqualTo("features");
                })
                .hasMessage("model 'audio-routing': row 1: 'features' has 127 values but audio"
                        + " features have 128");
    }

    @Test
    void featuresWithNanOrInfinity() {
        float[] nan = new float[128];
        nan[5] = Float.NaN;
        assertThatThrownBy(() -> audio.route(new float[][] {new float[128], new float[128], nan}))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("model 'audio-routing': row 2: 'features' has NaN at index 5");
        float[] inf = new float[128];
        inf[127] = Float.NEGATIVE_INFINITY;
        assertThatThrownBy(() -> audio.checkFeatures(9, inf))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("model 'audio-routing': row 9: 'features' has -Infinity at index 127");
        assertThatThrownBy(() -> audio.route(Arrays.asList(new float[128], null)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("model 'audio-routing': row 1: 'features' is missing");
    }

    @Test
    void missingText() {
        assertThatThrownBy(() -> text.routeTexts(Arrays.asList("fine", null)))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.field()).isEqualTo("text"))
                .hasMessage("model 'text-routing': row 1: 'text' is missing");
    }

    @Test
    void tokenIdsOutsideTheVocabularyOrTooMany() {
        assertThatThrownBy(() -> text.routeTokenIds(new long[][] {{1, 2}, {3, 16384}}))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("model 'text-routing': row 1: 'input_ids' has id 16384 at index 1,"
                        + " outside [0, 16384)");
        assertThatThrownBy(() -> text.routeTokenIds(new long[][] {{-1}}))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("model 'text-routing': row 0: 'input_ids' has id -1 at index 0,"
                        + " outside [0, 16384)");
        assertThatThrownBy(() -> text.routeTokenIds(new long[][] {new long[257]}))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("model 'text-routing': row 0: 'input_ids' has 257 ids, more than"
                        + " max_tokens 256");
    }

    @Test
    void emptyTextsAndEmptyRowsAreValid() {
        RoutingResult result = text.routeTexts(List.of("", "   ", "!!"));
        RoutingResult ids = text.routeTokenIds(new long[][] {{}, {0, 0}});
        assertThat(result.size()).isEqualTo(3);
        assertThat(result.embedding(0)).containsExactly(result.embedding(1));
        assertThat(ids.embedding(0)).containsExactly(result.embedding(0));
        assertThat(ids.embedding(1)).containsExactly(result.embedding(0));
    }

    @Test
    void integrationRowWithoutAnyModality() {
        IntegrationBatch batch = integration.newBatch(2);
        batch.add(new float[][] {new float[64], null, null},
                new float[] {0f, 0f, 0f});
        batch.add(new float[][] {null, null, null},
                new float[] {1f, 1f, 1f});
        assertThatThrownBy(() -> integration.fuse(batch))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.row()).isEqualTo(1);
                    assertThat(e.field()).isEqualTo("mask");
                })
                .hasMessage("model 'integration-max': row 1: 'mask' has no modality present");
    }

    @Test
    void integrationEmbeddingOfTheWrongLengthOrNotFinite() {
        IntegrationBatch wrongLength = integration.newBatch(2);
        wrongLength.add(new float[][] {null, new float[63], null},
                new float[] {0f, 0f, 0f});
        assertThatThrownBy(() -> integration.fuse(wrongLength))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("model 'integration-max': row 0: 'audio.embedding' has 63 values but"
                        + " the model expects 64");

        float[] nan = new float[64];
        nan[63] = Float.NaN;
        IntegrationBatch notFinite = integration.newBatch(2);
        notFinite.add(new float[][] {null, null, nan},
                new float[] {0f, 0f, 0f});
        assertThatThrownBy(() -> integration.fuse(notFinite))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("model 'integration-max': row 0: 'image.embedding' has NaN at index"
                        + " 63");

        IntegrationBatch badGate = integration.newBatch(2);
        badGate.add(new float[][] {new float[64], null, null},
                new float[] {Float.POSITIVE_INFINITY, Float.NaN, 0f});
        assertThatThrownBy(() -> integration.fuse(badGate))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("model 'integration-max': row 0: 'text.gate' is Infinity");
    }

    @Test
    void absentModalitiesIgnoreTheirGate() {
        IntegrationBatch batch = integration.newBatch(2);
        float[] embedding = new float[64];
        Arrays.fill(embedding, 0.5f);
        batch.add(new float[][] {embedding, null, null},
                new float[] {2f, Float.NaN, 0f});
        batch.add(new float[][] {embedding, null, null},
                new float[] {2f, 5f, -3f});
        IntegrationResult result = integration.fuse(batch);
        assertThat(result.fused(0)).containsExactly(result.fused(1));
        assertThat(result.weight(0, 0)).isEqualTo(1f);
        assertThat(result.weight(0, 1)).isZero();
        assertThat(result.weight(0, 2)).isZero();
    }

    @Test
    void emptyBatchesRunNothing() {
        assertThat(audio.route(new float[0][]).size()).isZero();
        assertThat(text.routeTexts(List.of()).size()).isZero();
        assertThat(integration.fuse(integration.newBatch(2)).size()).isZero();
    }

    @Test
    void aClosedModelRefusesCalls() {
        RoutingModel model = RoutingModel.open(
                TestArtifacts.manifest(), Modality.IMAGE, TestArtifacts.CPU);
        model.close();
        assertThatThrownBy(() -> model.route(new float[][] {new float[512]}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("model 'image-routing': the session lease is closed");
    }

    @Test
    void textModelIsNotAFeatureModel() {
        assertThatThrownBy(() -> RoutingModel.open(TestArtifacts.manifest(), Modality.TEXT,
                TestArtifacts.CPU))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("model 'text-routing' is not a feature routing model (use"
                        + " TextRoutingModel for text)");
    }
}
