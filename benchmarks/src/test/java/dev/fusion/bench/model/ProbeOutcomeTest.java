package dev.fusion.bench.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.models.runtime.DeviceUnavailableException;
import org.junit.jupiter.api.Test;

/** The CUDA probe tells a missing library from a missing GPU, by the messages ONNX Runtime gives. */
class ProbeOutcomeTest {

    private static final String WRAPPER = "text-routing: inference.device is 'cuda:0' but the CUDA"
            + " execution provider failed to load: ";

    @Test
    void aLibraryTheProviderLinksAgainstThatIsNotFoundIsALibraryFailure() {
        // As seen on the development machine with the bundle and no driver: ONNX Runtime's own
        // message says only "Failed to load shared library"; the probe adds the loader's reason.
        Exception e = new DeviceUnavailableException(WRAPPER + "Error code - ORT_FAIL - message:"
                + " OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library",
                new IllegalStateException("Error code - ORT_FAIL - message:"
                        + " OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared"
                        + " library"));
        String text = ProbeOutcome.messages(e) + "\ndynamic loader: /b/native/"
                + CudaProbe.PROVIDER + ": libcuda.so.1: cannot open shared object file: No such"
                + " file or directory";

        assertThat(ProbeOutcome.of(e)).isEqualTo(ProbeOutcome.OTHER);
        assertThat(ProbeOutcome.ofMessage(text)).isEqualTo(ProbeOutcome.LIBRARY_NOT_LOADED);
        assertThat(ProbeOutcome.LIBRARY_NOT_LOADED.exitCode).isEqualTo(3);
    }

    @Test
    void aLibraryTooOldForTheProviderIsALibraryFailure() {
        assertThat(ProbeOutcome.ofMessage("Failed to load library libonnxruntime_providers_cuda.so"
                + " with error: libonnxruntime_providers_cuda.so: undefined symbol:"
                + " cudaLibraryLoadData, version libcudart.so.12"))
                .isEqualTo(ProbeOutcome.LIBRARY_NOT_LOADED);
    }

    @Test
    void theRuntimeFindingNoDeviceOrNoDriverIsWhatAMachineWithoutAGpuMustSay() {
        assertThat(ProbeOutcome.ofMessage(WRAPPER + "CUDA failure 100: no CUDA-capable device is"
                + " detected ; GPU=0 ; hostname=dev ; expr=cudaSetDevice(info_.device_id);"))
                .isEqualTo(ProbeOutcome.NO_DEVICE);
        // As seen with the bundle and the check's stand-in driver.
        assertThat(ProbeOutcome.ofMessage(WRAPPER + "Error code - ORT_FAIL - message: [with ERRTYPE"
                + " = cudaError; bool THRW = true] CUDA failure 35: CUDA driver version is"
                + " insufficient for CUDA runtime version ; GPU=-1 ; hostname=vm ; file=/onnxrun"
                + "time_src/onnxruntime/core/providers/cuda/cuda_execution_provider.cc ; line=341"
                + " ; expr=cudaSetDevice(info_.device_id);")).isEqualTo(ProbeOutcome.NO_DEVICE);
        assertThat(ProbeOutcome.ofMessage(WRAPPER + "CUDA failure 34: CUDA driver is a stub"
                + " library")).isEqualTo(ProbeOutcome.NO_DEVICE);
        assertThat(ProbeOutcome.NO_DEVICE.exitCode).isEqualTo(4);
    }

    @Test
    void aLibraryFailureWinsOverADriverMessageBesideIt() {
        assertThat(ProbeOutcome.ofMessage("CUDA failure 35: CUDA driver version is insufficient\n"
                + "libcudnn.so.9: cannot open shared object file"))
                .isEqualTo(ProbeOutcome.LIBRARY_NOT_LOADED);
    }

    @Test
    void theCpuOnlyArtifactHasNoProviderAndOtherFailuresAreOther() {
        assertThat(ProbeOutcome.ofMessage("image-routing: inference.device is 'cuda:0' but this"
                + " ONNX Runtime build has no CUDA execution provider (it has [CPU]); the CPU-only"
                + " 'onnxruntime' artifact cannot use a GPU")).isEqualTo(ProbeOutcome.NO_PROVIDER);
        assertThat(ProbeOutcome.ofMessage("CUDA failure 2: out of memory"))
                .isEqualTo(ProbeOutcome.OTHER);
    }

    @Test
    void theMessagesOfTheCausesAreReadOutermostFirst() {
        Exception e = new DeviceUnavailableException("outer", new IllegalStateException("inner"));

        assertThat(ProbeOutcome.messages(e)).isEqualTo(
                "dev.fusion.models.runtime.DeviceUnavailableException: outer\n"
                        + "java.lang.IllegalStateException: inner");
    }

    @Test
    void outputsThatDifferFromTheCpuBeyondTheToleranceGetExitCodeSevenWhichTheGpuRunMeasuresOn() {
        assertThat(CudaProbe.compared(0)).isEqualTo(ProbeOutcome.CUDA_OK);
        assertThat(CudaProbe.compared(CudaProbe.TOLERANCE)).isEqualTo(ProbeOutcome.CUDA_OK);
        assertThat(CudaProbe.compared(2e-3)).isEqualTo(ProbeOutcome.DIFFERS);
        // A NaN on either side counts as an infinite difference (CudaProbe.maxDifference).
        assertThat(CudaProbe.compared(Double.POSITIVE_INFINITY)).isEqualTo(ProbeOutcome.DIFFERS);
        // benchmarks/gpu/run-gpu.sh goes on after exit 0 and 7 only.
        assertThat(ProbeOutcome.DIFFERS.exitCode).isEqualTo(7);
        assertThat(CudaProbe.maxDifference(new float[] {1f, Float.NaN}, new float[] {1f, 1f}))
                .isInfinite();
    }
}
