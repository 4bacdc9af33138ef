package dev.fusion.models.inference;

import static dev.fusion.models.TestArtifacts.floatRows;
import static dev.fusion.models.TestArtifacts.floats;
import static dev.fusion.models.TestArtifacts.longRows;
import static dev.fusion.models.TestArtifacts.maxAbsDiff;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fusion.models.TestArtifacts;
import dev.fusion.models.manifest.Modality;
import dev.fusion.models.manifest.ModelRole;
import dev.fusion.models.manifest.ModelSpec;
import dev.fusion.models.manifest.TensorNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every golden vector written by the Python export is reproduced by the Java runtime within
 * {@value #TOLERANCE} (max abs), from the golden inputs; text also from the golden texts.
 */
class GoldenVectorsTest {

    private static final double TOLERANCE = 1e-5;

    static Stream<String> goldenModels() throws IOException {
        try (Stream<Path> files = Files.list(TestArtifacts.dir().resolve("goldens"))) {
            return files.map(f -> f.getFileName().toString())
                    .filter(f -> f.endsWith(".json") && !f.equals("tokenizer.json"))
                    .map(f -> f.substring(0, f.length() - ".json".length()))
                    .sorted().toList().stream();
        }
    }

    @Test
    void thereIsAGoldenFileForEveryModel() throws IOException {
        assertThat(goldenModels().toList()).containsExactlyInAnyOrderElementsOf(
                TestArtifacts.manifest().models().stream().map(ModelSpec::name).toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenModels")
    void reproducesTheGoldenOutputs(String name) {
        JsonNode golden = TestArtifacts.golden(name);
        assertThat(golden.get("model").asText()).isEqualTo(name);
        ModelSpec spec = TestArtifacts.manifest().model(name);
        JsonNode in = golden.get("inputs");
        JsonNode out = golden.get("outputs");

        if (spec.role() == ModelRole.INTEGRATION) {
            try (IntegrationModel model = IntegrationModel.open(spec, TestArtifacts.manifest().modalities(),
                    TestArtifacts.CPU)) {
                IntegrationResult result = model.fuse(batchOf(in));
                assertThat(result.size()).isGreaterThanOrEqualTo(16);
                assertRows(name, "fused", out, result.size(), result::fused);
                assertRows(name, "weights", out, result.size(), result::weights);
                assertRows(name, "scores", out, result.size(), result::scores);
            }
        } else if (spec.tokenizer() != null) {
            try (TextRoutingModel model = TextRoutingModel.open(spec, TestArtifacts.CPU)) {
                RoutingResult fromIds = model.routeTokenIds(longRows(in.get("input_ids")));
                assertRouting(name + " from input_ids", out, fromIds);

                List<String> texts = new ArrayList<>();
                golden.get("texts").forEach(t -> texts.add(t.asText()));
                RoutingResult fromTexts = model.routeTexts(texts);
                assertRouting(name + " from texts", out, fromTexts);
            }
        } else {
            try (RoutingModel model = RoutingModel.open(spec, TestArtifacts.CPU)) {
                RoutingResult result = model.route(floatRows(in.get(TensorNames.FEATURES)));
                assertRouting(name, out, result);
            }
        }
    }

    @Test
    void goldenTextsTokenizeToTheGoldenIds() {
        JsonNode golden = TestArtifacts.golden("text-routing");
        try (TextRoutingModel model = TextRoutingModel.open(
                TestArtifacts.manifest().routing(Modality.TEXT), TestArtifacts.CPU)) {
            long[][] ids = longRows(golden.get("inputs").get(TensorNames.INPUT_IDS));
            JsonNode texts = golden.get("texts");
            assertThat(texts.size()).isEqualTo(ids.length);
            boolean padded = false;
            for (int row = 0; row < ids.length; row++) {
                long[] unpadded = stripPadding(ids[row]);
                padded |= unpadded.length < ids[row].length;
                assertThat(model.tokenizer().encode(texts.get(row).asText()))
                        .as("row %d", row).containsExactly(unpadded);
            }
            assertThat(padded).as("the golden has rows of different lengths").isTrue();
        }
    }

    static IntegrationBatch batchOf(JsonNode inputs) {
        JsonNode embeddings = inputs.get(TensorNames.EMBEDDINGS);
        JsonNode gates = inputs.get(TensorNames.GATES);
        JsonNode mask = inputs.get(TensorNames.MASK);
        int modalities = embeddings.get(0).size();
        IntegrationBatch batch = new IntegrationBatch(modalities, embeddings.size());
        for (int row = 0; row < embeddings.size(); row++) {
            float[][] rowEmbeddings = new float[modalities][];
            float[] rowGates = new float[modalities];
            for (int m = 0; m < modalities; m++) {
                // Absent slots are sent as null: the golden's placeholder values must not matter.
                if (mask.get(row).get(m).doubleValue() > 0.5) {
                    rowEmbeddings[m] = floats(embeddings.get(row).get(m));
                    rowGates[m] = (float) gates.get(row).get(m).doubleValue();
                }
            }
            batch.add(rowEmbeddings, rowGates);
        }
        return batch;
    }

    private static void assertRouting(String what, JsonNode out, RoutingResult result) {
        float[][] embeddings = floatRows(out.get(TensorNames.EMBEDDING));
        float[] gates = floats(out.get(TensorNames.GATE_LOGIT));
        assertThat(result.size()).isEqualTo(embeddings.length).isGreaterThanOrEqualTo(16);
        float[] actualGates = new float[result.size()];
        for (int row = 0; row < result.size(); row++) {
            assertThat(maxAbsDiff(result.embedding(row), embeddings[row]))
                    .as("%s: embedding row %d", what, row).isLessThanOrEqualTo(TOLERANCE);
            actualGates[row] = result.gateLogit(row);
        }
        assertThat(maxAbsDiff(actualGates, gates)).as("%s: gate_logit", what)
                .isLessThanOrEqualTo(TOLERANCE);
    }

    private interface RowGetter {
        float[] row(int row);
    }

    private static void assertRows(
            String model, String output, JsonNode out, int size, RowGetter actual) {
        float[][] expected = floatRows(out.get(output));
        assertThat(expected.length).as("%s: %s rows", model, output).isEqualTo(size);
        for (int row = 0; row < size; row++) {
            assertThat(maxAbsDiff(actual.row(row), expected[row]))
                    .as("%s: %s row %d", model, output, row).isLessThanOrEqualTo(TOLERANCE);
        }
    }

    private static long[] stripPadding(long[] ids) {
        int length = ids.length;
        while (length > 0 && ids[length - 1] == 0) {
            length--;
        }
        return Arrays.copyOf(ids, length);
    }
}
