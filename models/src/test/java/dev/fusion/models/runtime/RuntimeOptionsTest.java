package dev.fusion.models.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing of {@code inference.device} and the thread counts, and their error messages. */
class RuntimeOptionsTest {

    @Test
    void defaultsToAutoWithOneThreadEach() {
        assertThat(RuntimeOptions.fromMap(Map.of()))
                .isEqualTo(RuntimeOptions.defaults())
                .isEqualTo(new RuntimeOptions(Device.AUTO, 1, 1));
    }

    @Test
    void readsAllThreeKeys() {
        RuntimeOptions options = RuntimeOptions.fromMap(Map.of(
                "inference.device", "cuda:1",
                "inference.intra-op-threads", "2",
                "inference.inter-op-threads", "3",
                "unrelated.key", "x"));
        assertThat(options).isEqualTo(new RuntimeOptions(Device.cuda(1), 2, 3));
    }

    @Test
    void parsesEveryDeviceSpelling() {
        assertThat(Device.parse("auto")).isEqualTo(Device.AUTO);
        assertThat(Device.parse(" CPU ")).isEqualTo(Device.CPU);
        assertThat(Device.parse("cuda")).isEqualTo(Device.cuda(0));
        assertThat(Device.parse("cuda:0")).isEqualTo(Device.cuda(0));
        assertThat(Device.parse("cuda:7")).isEqualTo(Device.cuda(7));
        assertThat(Device.cuda(3)).hasToString("cuda:3");
        assertThat(Device.AUTO).hasToString("auto");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "gpu", "", "cuda:", "cuda:-1", "cuda:x", "cuda0", "cuda:99999", "tpu:0"})
    void rejectsUnknownDevicesListingTheValidOnes(String value) {
        assertThatThrownBy(() -> RuntimeOptions.fromMap(Map.of("inference.device", value)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("inference.device: invalid value '" + value
                        + "'; valid values: auto, cpu, cuda, cuda:N (N = GPU index >= 0)");
    }

    @Test
    void rejectsThreadCountsThatAreNotNumbers() {
        assertThatThrownBy(() -> RuntimeOptions.fromMap(Map.of(
                "inference.intra-op-threads", "four")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("inference.intra-op-threads: 'four' is not an integer;"
                        + " valid values: 1 to 256");
    }

    @Test
    void rejectsThreadCountsOutOfRange() {
        assertThatThrownBy(() -> RuntimeOptions.fromMap(Map.of(
                "inference.inter-op-threads", "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("inference.inter-op-threads: 0 is out of range;"
                        + " valid values: 1 to 256");
        assertThatThrownBy(() -> new RuntimeOptions(Device.CPU, 1000, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("inference.intra-op-threads: 1000 is out of range;"
                        + " valid values: 1 to 256");
    }
}
