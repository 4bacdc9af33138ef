package dev.fusion.models.runtime;

import dev.fusion.models.inference.RoutingModel;
import dev.fusion.models.inference.RoutingResult;
import dev.fusion.models.manifest.Modality;
import dev.fusion.models.manifest.ModelManifest;

/**
 * Child-process main of {@link LongCommandLineStartupTest}: starts ONNX Runtime, validates the
 * bundled models, runs one inference and prints {@value #OK_LINE_PREFIX} with what it saw.
 */
public final class OrtStartupProbe {

    static final String OK_LINE_PREFIX = "ORT-STARTUP-PROBE-OK";

    private OrtStartupProbe() {
    }

    public static void main(String[] args) {
        ModelManifest manifest = ModelManifest.loadBundled();
        RuntimeOptions options = new RuntimeOptions(Device.CPU, 1, 1);
        try (RoutingModel audio = RoutingModel.open(manifest, Modality.AUDIO, options)) {
            RoutingResult result = audio.route(new float[][] {new float[audio.inputDim()]});
            System.out.println(OK_LINE_PREFIX + " rows=" + result.size() + " dim=" + result.dim()
                    + " finite=" + Float.isFinite(result.gateLogit(0))
                    + " ORT_DISABLE_TELEMETRY=" + System.getenv("ORT_DISABLE_TELEMETRY"));
        }
    }
}
