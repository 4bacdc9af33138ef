package dev.fusion.models.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import dev.fusion.models.manifest.ModelSpec;
import dev.fusion.models.manifest.ModelValidationException;
import dev.fusion.models.manifest.SignatureVerifier;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens one ONNX Runtime session for a model on the configured device, and says which it got. */
final class SessionFactory {

    private static final Logger LOG = LoggerFactory.getLogger(SessionFactory.class);
    private static final String DEVICE_KEY = RuntimeOptions.DEVICE;

    /** A new session and the device it really runs on (never {@code auto}). */
    record Opened(OrtSession session, Device device) {
    }

    private SessionFactory() {
    }

    static Opened open(OrtEnvironment env, ModelSpec spec, RuntimeOptions options) {
        Device requested = options.device();
        switch (requested.kind()) {
            case CPU:
                return opened(spec, options, openOn(env, spec, options, Device.CPU), Device.CPU,
                        DEVICE_KEY + "=cpu");
            case CUDA:
                return openCudaOrFail(env, spec, options, requested);
            case AUTO:
            default:
                return openAuto(env, spec, options);
        }
    }

    private static Opened openCudaOrFail(
            OrtEnvironment env, ModelSpec spec, RuntimeOptions options, Device device) {
        EnumSet<OrtProvider> providers = OrtEnvironment.getAvailableProviders();
        if (!providers.contains(OrtProvider.CUDA)) {
            throw new DeviceUnavailableException(spec.label() + ": " + DEVICE_KEY + " is '"
                    + device + "' but this ONNX Runtime build has no CUDA execution provider"
                    + " (it has " + providers + "); the CPU-only 'onnxruntime' artifact cannot"
                    + " use a GPU: build with -Pgpu (onnxruntime_gpu), or set " + DEVICE_KEY
                    + " to auto or cpu");
        }
        try {
            OrtSession session = createSession(env, spec, options, device);
            return opened(spec, options, session, device, DEVICE_KEY + "=" + device);
        } catch (OrtException e) {
            throw new DeviceUnavailableException(spec.label() + ": " + DEVICE_KEY + " is '"
                    + device + "' but the CUDA execution provider failed to load: "
                    + firstLine(e.getMessage()) + " (it needs a GPU driver, the CUDA 12 runtime,"
                    + " cuBLAS and cuDNN 9 on the library path)", e);
        }
    }

    private static Opened openAuto(OrtEnvironment env, ModelSpec spec, RuntimeOptions options) {
        String reason;
        if (OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            Device gpu = Device.cuda(0);
            try {
                OrtSession session = createSession(env, spec, options, gpu);
                return opened(spec, options, session, gpu, DEVICE_KEY + "=auto");
            } catch (OrtException e) {
                reason = "the CUDA execution provider failed to load: " + firstLine(e.getMessage());
            }
        } else {
            reason = "no CUDA execution provider in this ONNX Runtime build";
        }
        OrtSession session = openOn(env, spec, options, Device.CPU);
        return opened(spec, options, session, Device.CPU, DEVICE_KEY + "=auto, " + reason);
    }

    private static OrtSession openOn(
            OrtEnvironment env, ModelSpec spec, RuntimeOptions options, Device device) {
        try {
            return createSession(env, spec, options, device);
        } catch (OrtException e) {
            throw new ModelValidationException(spec.label() + ": ONNX Runtime cannot open "
                    + spec.file() + " on " + device + ": " + e.getMessage(), e);
        }
    }

    private static OrtSession createSession(
            OrtEnvironment env, ModelSpec spec, RuntimeOptions options, Device device)
            throws OrtException {
        try (OrtSession.SessionOptions sessionOptions = sessionOptions(options)) {
            if (device.kind() == Device.Kind.CUDA) {
                sessionOptions.addCUDA(device.index());
            }
            // Prefer the file (ONNX Runtime reads it natively); bundled models come as bytes.
            Optional<Path> path = spec.source().path();
            OrtSession session = path.isPresent()
                    ? env.createSession(path.get().toString(), sessionOptions)
                    : env.createSession(spec.readVerifiedBytes(), sessionOptions);
            try {
                SignatureVerifier.verify(spec, session);
            } catch (RuntimeException e) {
                session.close();
                throw e;
            }
            return session;
        }
    }

    private static OrtSession.SessionOptions sessionOptions(RuntimeOptions options)
            throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        try {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            so.setIntraOpNumThreads(options.intraOpThreads());
            so.setInterOpNumThreads(options.interOpThreads());
            // Pool threads that spin between calls burn cores the Flink subtasks need.
            so.addConfigEntry("session.intra_op.allow_spinning", "0");
            so.addConfigEntry("session.inter_op.allow_spinning", "0");
            return so;
        } catch (OrtException | RuntimeException e) {
            so.close();
            throw e;
        }
    }

    private static Opened opened(
            ModelSpec spec, RuntimeOptions options, OrtSession session, Device device,
            String why) {
        LOG.info("{} ({}): ONNX Runtime session on {} ({}), {} intra-op / {} inter-op threads",
                spec.label(), spec.version(), device, why, options.intraOpThreads(),
                options.interOpThreads());
        return new Opened(session, device);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
