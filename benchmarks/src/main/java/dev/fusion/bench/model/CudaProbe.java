package dev.fusion.bench.model;

import ai.onnxruntime.OrtEnvironment;
import dev.fusion.models.inference.IntegrationBatch;
import dev.fusion.models.inference.IntegrationModel;
import dev.fusion.models.inference.IntegrationResult;
import dev.fusion.models.inference.RoutingModel;
import dev.fusion.models.inference.RoutingResult;
import dev.fusion.models.inference.TextRoutingModel;
import dev.fusion.models.manifest.FusionMode;
import dev.fusion.models.manifest.Modality;
import dev.fusion.models.manifest.ModelManifest;
import dev.fusion.models.runtime.Device;
import dev.fusion.models.runtime.RuntimeOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Opens the job's models through its own model runtime on {@code inference.device=cuda} and
 * says how far that got ({@link ProbeOutcome}, also the exit code): on a GPU machine the whole
 * chain runs on CUDA and is compared with the CPU; on a machine without one it must fail at the
 * driver, not at a missing library. Arguments: {@code [--device cuda:N] [--models DIR]
 * [--batch N]}; the bundled models by default.
 */
public final class CudaProbe {

    /** Largest difference from the CPU's outputs accepted: float32 sums in another order. */
    static final double TOLERANCE = 1e-3;

    private CudaProbe() {
    }

    public static void main(String[] argv) {
        String device = "cuda";
        String models = null;
        int batch = 64;
        for (int i = 0; i + 1 < argv.length; i += 2) {
            switch (argv[i]) {
                case "--device" -> device = argv[i + 1];
                case "--models" -> models = argv[i + 1];
                case "--batch" -> batch = Integer.parseInt(argv[i + 1]);
                default -> {
                    System.err.println("probe: unknown option " + argv[i]);
                    System.exit(2);
                }
            }
        }
        ProbeOutcome outcome = run(device, models, batch, System.out);
        System.out.println("probe: outcome " + outcome + " (" + outcome.meaning + ")");
        System.exit(outcome.exitCode);
    }

    static ProbeOutcome run(String deviceName, String modelsDir, int batch, PrintStream out) {
        Device device = Device.parse(deviceName);
        out.println("probe: ONNX Runtime " + OrtEnvironment.getEnvironment().getVersion()
                + ", providers " + OrtEnvironment.getAvailableProviders());
        ModelManifest manifest = modelsDir == null ? ModelManifest.loadBundled()
                : ModelManifest.load(Path.of(modelsDir));
        ModelInputs inputs = ModelInputs.draw(batch, 7);
        IntegrationResult onGpu;
        try (Chain gpu = Chain.open(manifest, RuntimeOptions.defaults().withDevice(device))) {
            out.println("probe: sessions on " + gpu.devices());
            onGpu = gpu.run(inputs);
        } catch (RuntimeException e) {
            String failure = ProbeOutcome.messages(e);
            if (failure.contains(LOAD_FAILED)) {
                failure += "\n" + loaderMessage();
            }
            out.println("probe: opening the models on " + device + " failed:");
            out.println(failure);
            return ProbeOutcome.ofMessage(failure);
        }
        IntegrationResult onCpu;
        try (Chain cpu = Chain.open(manifest, RuntimeOptions.defaults())) {
            onCpu = cpu.run(inputs);
        }
        double diff = maxDifference(onCpu, onGpu);
        out.printf(Locale.ROOT, "probe: %d rows through the chain; largest difference from the"
                + " CPU %.2e (tolerance %.0e)%n", batch, diff, TOLERANCE);
        return compared(diff);
    }

    /** The outcome of a chain that ran on CUDA, by its largest difference from the CPU's. */
    static ProbeOutcome compared(double largestDifference) {
        return largestDifference <= TOLERANCE ? ProbeOutcome.CUDA_OK : ProbeOutcome.DIFFERS;
    }

    /**
     * ONNX Runtime's Java exception when the provider library does not load: the loader's reason
     * went to the native log (stderr) only.
     */
    static final String LOAD_FAILED = "Failed to load shared library";
    static final String PROVIDER = "libonnxruntime_providers_cuda.so";

    /** Why the dynamic loader refuses the provider, asked again from Java (lazily bound). */
    private static String loaderMessage() {
        String dir = System.getProperty("onnxruntime.native.path");
        if (dir == null) {
            return "(the provider was extracted to a temporary folder; its loader message is in"
                    + " the native log above)";
        }
        Path provider = Path.of(dir, PROVIDER);
        try {
            System.load(provider.toString());
            return "the dynamic loader loads " + provider + " when binding lazily: a symbol it"
                    + " needs is missing (see the native log above)";
        } catch (UnsatisfiedLinkError e) {
            return "dynamic loader: " + e.getMessage();
        }
    }

    static double maxDifference(IntegrationResult a, IntegrationResult b) {
        double max = 0;
        for (int r = 0; r < a.size(); r++) {
            max = Math.max(max, maxDifference(a.fused(r), b.fused(r)));
            max = Math.max(max, maxDifference(a.scores(r), b.scores(r)));
            max = Math.max(max, maxDifference(a.weights(r), b.weights(r)));
        }
        return max;
    }

    static double maxDifference(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            // NaN on either side must fail the comparison, not vanish in Math.max.
            double d = Math.abs((double) a[i] - b[i]);
            max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(max, d);
        }
        return max;
    }

    /** The four models of one fused output, opened on one device. */
    private record Chain(TextRoutingModel text, RoutingModel audio, RoutingModel image,
            IntegrationModel integration) implements AutoCloseable {

        static Chain open(ModelManifest manifest, RuntimeOptions options) {
            TextRoutingModel text = TextRoutingModel.open(manifest, options);
            try {
                RoutingModel audio = RoutingModel.open(manifest, Modality.AUDIO, options);
                try {
                    RoutingModel image = RoutingModel.open(manifest, Modality.IMAGE, options);
                    try {
                        return new Chain(text, audio, image,
                                IntegrationModel.open(manifest, FusionMode.MAX, options));
                    } catch (RuntimeException e) {
                        image.close();
                        throw e;
                    }
                } catch (RuntimeException e) {
                    audio.close();
                    throw e;
                }
            } catch (RuntimeException e) {
                text.close();
                throw e;
            }
        }

        String devices() {
            return "text " + text.device() + ", audio " + audio.device() + ", image "
                    + image.device() + ", integration " + integration.device();
        }

        IntegrationResult run(ModelInputs inputs) {
            RoutingResult t = text.routeTexts(inputs.texts);
            RoutingResult a = audio.route(inputs.audio);
            RoutingResult i = image.route(inputs.image);
            IntegrationBatch rows = integration.newBatch(inputs.texts.size());
            for (int r = 0; r < inputs.texts.size(); r++) {
                rows.add(new float[][] {t.embedding(r), a.embedding(r), i.embedding(r)},
                        new float[] {t.gateLogit(r), a.gateLogit(r), i.gateLogit(r)});
            }
            return integration.fuse(rows);
        }

        @Override
        public void close() {
            integration.close();
            image.close();
            audio.close();
            text.close();
        }
    }
}
