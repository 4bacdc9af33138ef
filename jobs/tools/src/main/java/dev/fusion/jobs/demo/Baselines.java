package dev.fusion.jobs.demo;

import dev.fusion.jobs.synthetic.SyntheticDistribution;
import dev.fusion.jobs.synthetic.SyntheticSample;
import dev.fusion.models.inference.IntegrationBatch;
import dev.fusion.models.inference.IntegrationModel;
import dev.fusion.models.inference.IntegrationResult;
import dev.fusion.models.inference.RoutingModel;
import dev.fusion.models.inference.RoutingResult;
import dev.fusion.models.inference.TextRoutingModel;
import dev.fusion.models.manifest.FusionMode;
import dev.fusion.models.manifest.Modality;
import dev.fusion.models.manifest.ModelManifest;
import dev.fusion.models.runtime.RuntimeOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Offline reference accuracies on the demo's own distribution, computed with the same models
 * outside the pipeline: each modality alone (on the samples where it is present) and all present
 * modalities fused. The live pipeline's accuracy is judged against these.
 *
 * @param single accuracy per modality alone (text, audio, image)
 * @param fused accuracy with every present modality
 * @param samples number of samples drawn
 */
record Baselines(double[] single, double fused, int samples) {

    /** The best single-modality accuracy. */
    double bestSingle() {
        return Math.max(single[0], Math.max(single[1], single[2]));
    }

    static Baselines compute(ModelManifest manifest, FusionMode mode, SyntheticDistribution dist,
            int samples, long seed) {
        RuntimeOptions options = RuntimeOptions.defaults();
        Random random = new Random(seed);
        List<SyntheticSample> drawn = new ArrayList<>(samples);
        for (int i = 0; i < samples; i++) {
            drawn.add(dist.sample(dist.sampleClass(random), random));
        }
        try (TextRoutingModel text = TextRoutingModel.open(manifest, options);
                RoutingModel audio = RoutingModel.open(manifest, Modality.AUDIO, options);
                RoutingModel image = RoutingModel.open(manifest, Modality.IMAGE, options);
                IntegrationModel fuse = IntegrationModel.open(manifest, mode, options)) {
            float[][] z = new float[3][];
            float[] g = new float[3];
            long[] singleCorrect = new long[3];
            long[] singleSeen = new long[3];
            long fusedCorrect = 0;
            for (SyntheticSample s : drawn) {
                z[0] = null;
                z[1] = null;
                z[2] = null;
                if (s.text() != null) {
                    RoutingResult r = text.routeTexts(List.of(s.text()));
                    z[0] = r.embedding(0);
                    g[0] = r.gateLogit(0);
                }
                if (s.audio() != null) {
                    RoutingResult r = audio.route(List.of(s.audio()));
                    z[1] = r.embedding(0);
                    g[1] = r.gateLogit(0);
                }
                if (s.image() != null) {
                    RoutingResult r = image.route(List.of(s.image()));
                    z[2] = r.embedding(0);
                    g[2] = r.gateLogit(0);
                }
                IntegrationBatch batch = fuse.newBatch(4);
                batch.add(z, g);
                for (int m = 0; m < 3; m++) {
                    if (z[m] != null) {
                        float[][] alone = new float[3][];
                        alone[m] = z[m];
                        batch.add(alone, g);
                    }
                }
                IntegrationResult result = fuse.fuse(batch);
                if (result.predictedClass(0) == s.classId()) {
                    fusedCorrect++;
                }
                int row = 1;
                for (int m = 0; m < 3; m++) {
                    if (z[m] != null) {
                        singleSeen[m]++;
                        if (result.predictedClass(row++) == s.classId()) {
                            singleCorrect[m]++;
                        }
                    }
                }
            }
            double[] single = new double[3];
            for (int m = 0; m < 3; m++) {
                single[m] = singleSeen[m] == 0 ? Double.NaN : (double) singleCorrect[m] / singleSeen[m];
            }
            return new Baselines(single, (double) fusedCorrect / samples, samples);
        }
    }
}
