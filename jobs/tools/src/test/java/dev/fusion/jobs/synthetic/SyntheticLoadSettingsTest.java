package dev.fusion.jobs.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Run ids: new for every run, never repeated, and only characters that keep ids readable. */
class SyntheticLoadSettingsTest {

    @Test
    void everyRunGetsADifferentRunId() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String id = SyntheticLoad.Settings.newRunId();
            assertThat(id).matches("[0-9a-z]{12,}");
            ids.add(id);
        }
        assertThat(ids).hasSize(1000);
        assertThat(settings().runId()).isNotEqualTo(settings().runId());
    }

    @Test
    void aGivenRunIdIsKeptAndABadOneRefused() {
        SyntheticLoad.Settings given = new SyntheticLoad.Settings("localhost:9092",
                List.of("t", "a", "i"), 100, 10, 7, null, 0, "nightly-3");
        assertThat(given.runId()).isEqualTo("nightly-3");
        assertThatThrownBy(() -> new SyntheticLoad.Settings("localhost:9092",
                List.of("t", "a", "i"), 100, 10, 7, null, 0, "two words"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("run id must be letters, digits, '.', '_' or '-', got 'two words'");
    }

    private static SyntheticLoad.Settings settings() {
        return new SyntheticLoad.Settings("localhost:9092", List.of("t", "a", "i"), 100, 10, 7,
                null, 0);
    }
}
