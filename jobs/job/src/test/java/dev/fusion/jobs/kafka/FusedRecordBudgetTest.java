package dev.fusion.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusion.jobs.config.ConfigException;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.models.manifest.ModelManifest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The event-id budget of a fused record, from max.request.size and the id and model sizes. */
class FusedRecordBudgetTest {

    @Test
    void defaultsLeaveAMebibyteLessTheBoundOfEverythingElse() {
        // 3 ids of 3 * 256 + 5 bytes, (64 + 8 + 3) floats, 3 streams' names of at most 67 bytes,
        // 1024 + 1024 bytes of framing.
        int budget = FusedRecordBudget.sourceIdBytes(FusionConfig.of(Map.of()), ModelManifest.loadBundled());
        assertThat(budget).isEqualTo((1 << 20) - 3 * 773 - 4 * 75 - 3 * 67 - 2048);
    }

    @Test
    void followsTheUsersMaxRequestSize() {
        FusionConfig config = FusionConfig.of(Map.of("kafka.properties.max.request.size", "65536"));
        assertThat(FusedRecordBudget.sourceIdBytes(config, ModelManifest.loadBundled()))
                .isEqualTo(65536 - 3 * 773 - 4 * 75 - 3 * 67 - 2048);
    }

    @Test
    void everyStreamOfALargerModelSetTakesItsShare() {
        ModelManifest five = ModelManifest.load(
                Path.of("..", "..", "models", "model-sets", "five-stream"));
        // D = 32, K = 5, five streams.
        assertThat(FusedRecordBudget.sourceIdBytes(FusionConfig.of(Map.of()), five))
                .isEqualTo((1 << 20) - 3 * 773 - 4 * (32 + 5 + 5) - 5 * 67 - 2048);
    }

    @Test
    void aMaxRequestSizeThatCannotHoldOneIdFailsNamingBothKeys() {
        assertThatThrownBy(() -> FusedRecordBudget.sourceIdBytes(4096, 256, 64, 8, 3))
                .isInstanceOf(ConfigException.class)
                .hasMessage("kafka.properties.max.request.size=4096 cannot hold a fused record with"
                        + " even one event id of validation.max-id-chars=256 characters (5641 bytes"
                        + " at most)");
    }
}
