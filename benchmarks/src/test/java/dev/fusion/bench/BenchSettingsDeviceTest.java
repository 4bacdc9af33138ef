package dev.fusion.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@code --device} picks where every run infers; a run must name a device, not guess one. */
class BenchSettingsDeviceTest {

    @Test
    void runsOnTheCpuUnlessToldAndNamesTheDeviceCanonically() {
        assertThat(BenchSettings.parse(new String[0]).device).isEqualTo("cpu");
        assertThat(BenchSettings.parse(new String[] {"--device", "CUDA"}).device)
                .isEqualTo("cuda:0");
        assertThat(BenchSettings.parse(new String[] {"--device", "cuda:1"}).toString())
                .contains(", on cuda:1");
    }

    @Test
    void autoAndNonsenseAreRefused() {
        assertThatThrownBy(() -> BenchSettings.parse(new String[] {"--device", "auto"}))
                .hasMessage("bench: --device takes cpu, cuda or cuda:N; got 'auto'");
        assertThatThrownBy(() -> BenchSettings.parse(new String[] {"--device", "gpu"}))
                .hasMessage("bench: --device takes cpu, cuda or cuda:N; got 'gpu'");
    }
}
