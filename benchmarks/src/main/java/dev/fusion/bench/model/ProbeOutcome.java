package dev.fusion.bench.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@link CudaProbe} found, read from the error chain of a failed session: which step of
 * loading the CUDA execution provider failed decides what a GPU-less machine may show and what a
 * GPU machine must not.
 */
enum ProbeOutcome {

    /** Every model opened on the GPU and agreed with the CPU. */
    CUDA_OK(0, "the CUDA execution provider runs"),
    /**
     * A shared library of the provider was not found or lacks a symbol: the bundle is incomplete
     * (on any machine).
     */
    LIBRARY_NOT_LOADED(3, "a shared library of the CUDA provider did not load"),
    /**
     * Every library loaded and the CUDA runtime asked the driver for a device: what a machine
     * without a GPU (or with the stub driver of the CPU-side check) must say.
     */
    NO_DEVICE(4, "the libraries loaded; the CUDA runtime found no driver or no device"),
    /** The ONNX Runtime on the class path has no CUDA provider (the CPU-only artifact). */
    NO_PROVIDER(5, "this ONNX Runtime has no CUDA execution provider"),
    /** Anything else the sessions failed with. */
    OTHER(6, "the CUDA session failed otherwise"),
    /**
     * Every model ran on the GPU, but an output differs from the CPU's by more than the probe's
     * tolerance (reduced-precision math, such as TF32 matrix products, can do that).
     */
    DIFFERS(7, "the models ran on CUDA, but their outputs differ from the CPU's beyond the"
            + " tolerance");

    /** Messages of a library that the dynamic loader could not load or link. */
    private static final List<String> LIBRARY_MARKS = List.of("cannot open shared object file",
            "undefined symbol", "no version information available", "version `");
    /**
     * Messages of the CUDA runtime when the driver is missing, too old, a stub, or sees no GPU
     * (cudaErrorNoDevice 100, cudaErrorInsufficientDriver 35, cudaErrorStubLibrary 34, and the
     * driver API's names for them).
     */
    private static final List<String> NO_DEVICE_MARKS = List.of("no cuda-capable device",
            "cuda driver version is insufficient", "cudaerrornodevice",
            "cudaerrorinsufficientdriver", "cudaerrorstublibrary", "cuda_error_no_device",
            "cuda_error_stub_library", "stub library", "cuda failure 100:", "cuda failure 35:",
            "cuda failure 34:", "cuda error 100", "cuda error 35", "cuda error 34");
    private static final String NO_PROVIDER_MARK = "has no cuda execution provider";

    final int exitCode;
    final String meaning;

    ProbeOutcome(int exitCode, String meaning) {
        this.exitCode = exitCode;
        this.meaning = meaning;
    }

    /** Classifies a failure by the messages of it and its causes. */
    static ProbeOutcome of(Throwable failure) {
        return ofMessage(messages(failure));
    }

    /** Classifies the text of a failure; a library error wins, since nothing after it ran. */
    static ProbeOutcome ofMessage(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        if (LIBRARY_MARKS.stream().anyMatch(t::contains)) {
            return LIBRARY_NOT_LOADED;
        }
        if (NO_DEVICE_MARKS.stream().anyMatch(t::contains)) {
            return NO_DEVICE;
        }
        if (t.contains(NO_PROVIDER_MARK)) {
            return NO_PROVIDER;
        }
        return OTHER;
    }

    /** The messages of {@code failure} and its causes, one per line, outermost first. */
    static String messages(Throwable failure) {
        List<String> lines = new ArrayList<>();
        for (Throwable t = failure; t != null && lines.size() < 10; t = t.getCause()) {
            lines.add(t.getClass().getName() + ": " + t.getMessage());
        }
        return String.join("\n", lines);
    }
}
