package dev.fusion.bench.model;

import dev.fusion.models.inference.IntegrationBatch;
import dev.fusion.models.inference.IntegrationModel;
import dev.fusion.models.inference.IntegrationResult;
import dev.fusion.models.inference.RoutingModel;
import dev.fusion.models.inference.RoutingResult;
import dev.fusion.models.inference.TextRoutingModel;
import dev.fusion.models.manifest.FusionMode;
import dev.fusion.models.manifest.ModelManifest;
import dev.fusion.models.manifest.Modality;
import dev.fusion.models.runtime.Device;
import dev.fusion.models.runtime.RuntimeOptions;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The model-only ceiling: one call of a model (or of the whole chain) on a batch of
 * {@link #batch} rows, in ONNX Runtime Java with the job's runtime options (one intra-op and one
 * inter-op thread) on {@link #device} (CPU unless told otherwise). Throughput in rows per second is the score times the batch size.
 *
 * <p>{@code chain} is what one fused output costs: the three routing models on one record each
 * (text tokenized in Java, as in the job) and the integration model on their outputs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ModelBenchmark {

    /** Names of the {@link #model} values. */
    public static final String TEXT = "text-routing";
    public static final String AUDIO = "audio-routing";
    public static final String IMAGE = "image-routing";
    public static final String INTEGRATION = "integration-max";
    public static final String CHAIN = "chain";
    public static final String BUNDLED = "bundled";

    @Param({TEXT, AUDIO, IMAGE, INTEGRATION, CHAIN})
    public String model;

    @Param({"1", "4", "16", "64", "256", "1024"})
    public int batch;

    /** A directory with manifest.json, or {@value #BUNDLED} for the models bundled in the jar. */
    @Param({BUNDLED})
    public String modelsDir;

    /** An {@code inference.device} value: {@code cpu}, or {@code cuda} for the GPU run. */
    @Param({"cpu"})
    public String device;

    private TextRoutingModel text;
    private RoutingModel audio;
    private RoutingModel image;
    private IntegrationModel integration;
    private ModelInputs inputs;
    private IntegrationBatch fusionRows;

    @Setup(Level.Trial)
    public void open() {
        ModelManifest manifest = BUNDLED.equals(modelsDir) ? ModelManifest.loadBundled()
                : ModelManifest.load(Path.of(modelsDir));
        RuntimeOptions options = RuntimeOptions.defaults().withDevice(Device.parse(device));
        text = TextRoutingModel.open(manifest, options);
        audio = RoutingModel.open(manifest, Modality.AUDIO, options);
        image = RoutingModel.open(manifest, Modality.IMAGE, options);
        integration = IntegrationModel.open(manifest, FusionMode.MAX, options);
        inputs = ModelInputs.draw(batch, 17L * batch + Thread.currentThread().getId());
        fusionRows = rows(text.routeTexts(inputs.texts), audio.route(inputs.audio),
                image.route(inputs.image));
    }

    @TearDown(Level.Trial)
    public void close() {
        text.close();
        audio.close();
        image.close();
        integration.close();
    }

    @Benchmark
    public Object run() {
        return switch (model) {
            case TEXT -> text.routeTexts(inputs.texts);
            case AUDIO -> audio.route(inputs.audio);
            case IMAGE -> image.route(inputs.image);
            case INTEGRATION -> integration.fuse(fusionRows);
            case CHAIN -> chain();
            default -> throw new IllegalArgumentException("model must be one of " + TEXT + ", "
                    + AUDIO + ", " + IMAGE + ", " + INTEGRATION + ", " + CHAIN + "; got " + model);
        };
    }

    private IntegrationResult chain() {
        return integration.fuse(rows(text.routeTexts(inputs.texts), audio.route(inputs.audio),
                image.route(inputs.image)));
    }

    private IntegrationBatch rows(RoutingResult t, RoutingResult a, RoutingResult i) {
        IntegrationBatch rows = integration.newBatch(batch);
        for (int r = 0; r < batch; r++) {
            rows.add(new float[][] {t.embedding(r), a.embedding(r), i.embedding(r)},
                    new float[] {t.gateLogit(r), a.gateLogit(r), i.gateLogit(r)});
        }
        return rows;
    }
}
