package dev.fusion.models.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing of {@code inference.device}, the thread-count bounds and their error messages. */
class RuntimeOptionsTest {

    @Test
    void defaultsToAutoWithOneThreadEach() {
        assertThat(RuntimeOptions.defaults()).isEqualTo(new RuntimeOptions(Device.AUTO, 1, 1));
    }

    @Test
    void survivesJavaSerializationAsTheOperatorsReceiveIt() throws Exception {
        RuntimeOptions options = new RuntimeOptions(Device.cuda(1), 2, 3);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(options);
        }
        try (ObjectInputStream in = new ObjectInputStream(
                new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(in.readObject()).isEqualTo(options);
        }
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
        assertThatThrownBy(() -> Device.parse(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("inference.device: invalid value '" + value
                        + "'; valid values: auto, cpu, cuda, cuda:N (N = GPU index >= 0)");
    }

    @Test
    void rejectsThreadCountsOutOfRange() {
        assertThatThrownBy(() -> new RuntimeOptions(Device.CPU, 1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("inference.inter-op-threads: 0 is out of range;"
                        + " valid values: 1 to 256");
        assertThatThrownBy(() -> new RuntimeOptions(Device.CPU, 1000, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("inference.intra-op-threads: 1000 is out of range;"
                        + " valid values: 1 to 256");
    }
}
