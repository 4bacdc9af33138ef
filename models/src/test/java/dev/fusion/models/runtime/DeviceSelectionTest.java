package dev.fusion.models.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import dev.fusion.models.TestArtifacts;
import dev.fusion.models.inference.RoutingModel;
import dev.fusion.models.manifest.Modality;
import dev.fusion.models.manifest.ModelSpec;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Device selection on a build without CUDA (the default CPU artifact): {@code cuda} fails fast,
 * {@code auto} falls back to CPU with one INFO line, {@code cpu} says so.
 */
class DeviceSelectionTest {

    private final ModelSpec audio = TestArtifacts.manifest().routing(Modality.AUDIO);

    @BeforeEach
    void cpuOnlyBuild() {
        assumeFalse(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
                "this ONNX Runtime build has a CUDA provider");
    }

    @Test
    void cudaFailsFastNamingTheKeyTheDeviceAndTheCause() {
        RuntimeOptions cuda = new RuntimeOptions(Device.cuda(0), 1, 1);
        String providers = OrtEnvironment.getAvailableProviders().toString();

        assertThatThrownBy(() -> SharedSessions.acquire(audio, cuda))
                .isInstanceOf(DeviceUnavailableException.class)
                .hasMessage("model 'audio-routing': inference.device is 'cuda:0' but this ONNX"
                        + " Runtime build has no CUDA execution provider (it has " + providers
                        + "); the CPU-only 'onnxruntime' artifact cannot use a GPU: build with"
                        + " -Pgpu (onnxruntime_gpu), or set inference.device to auto or cpu");
        assertThat(SharedSessions.referenceCount(audio, cuda)).isZero();
    }

    @Test
    void cudaWithAnIndexFailsTheSameWayThroughTheModelApi() {
        RuntimeOptions cuda = new RuntimeOptions(Device.parse("cuda:1"), 1, 1);
        assertThatThrownBy(() -> RoutingModel.open(audio, cuda))
                .isInstanceOf(DeviceUnavailableException.class)
                .hasMessageStartingWith("model 'audio-routing': inference.device is 'cuda:1' but"
                        + " this ONNX Runtime build has no CUDA execution provider");
    }

    @Test
    void autoFallsBackToCpuWithExactlyOneInfoLine() {
        RuntimeOptions auto = new RuntimeOptions(Device.AUTO, 1, 1);
        try (LogCapture log = new LogCapture(SessionFactory.class);
                SessionLease lease = SharedSessions.acquire(audio, auto);
                SessionLease shared = SharedSessions.acquire(audio, auto)) {
            assertThat(lease.device()).isEqualTo(Device.CPU);
            assertThat(shared.device()).isEqualTo(Device.CPU);
            assertThat(log.messages(Level.INFO)).containsExactly("model 'audio-routing' ("
                    + audio.version() + "): ONNX Runtime session on cpu (inference.device=auto,"
                    + " no CUDA execution provider in this ONNX Runtime build),"
                    + " 1 intra-op / 1 inter-op threads");
            assertThat(log.messages(Level.WARN)).isEmpty();
        }
    }

    @Test
    void cpuLogsTheChosenDeviceOnce() {
        RuntimeOptions cpu = new RuntimeOptions(Device.CPU, 2, 1);
        try (LogCapture log = new LogCapture(SessionFactory.class);
                SessionLease lease = SharedSessions.acquire(audio, cpu)) {
            assertThat(lease.device()).isEqualTo(Device.CPU);
            assertThat(log.messages(Level.INFO)).containsExactly("model 'audio-routing' ("
                    + audio.version() + "): ONNX Runtime session on cpu (inference.device=cpu),"
                    + " 2 intra-op / 1 inter-op threads");
        }
    }
}
