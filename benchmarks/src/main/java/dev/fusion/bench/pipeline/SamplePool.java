package dev.fusion.bench.pipeline;

import dev.fusion.jobs.synthetic.SyntheticDistribution;
import dev.fusion.jobs.synthetic.SyntheticSample;
import dev.fusion.schemas.Floats;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Complete samples (all three views) of the training distribution, drawn once and cycled by the
 * load generators, with the feature vectors already boxed as Avro wants them: sampling and
 * boxing stay out of the producers' loops, which then cost little beside the job.
 */
final class SamplePool {

    private static final int SIZE = 4096;

    private final List<String> texts = new ArrayList<>(SIZE);
    private final List<List<Float>> audio = new ArrayList<>(SIZE);
    private final List<List<Float>> image = new ArrayList<>(SIZE);

    private SamplePool() {
    }

    static SamplePool draw(long seed) {
        SyntheticDistribution distribution = SyntheticDistribution.bundled();
        Random random = new Random(seed);
        SamplePool pool = new SamplePool();
        while (pool.texts.size() < SIZE) {
            SyntheticSample s = distribution.sample(distribution.sampleClass(random), random);
            if (s.text() != null && s.audio() != null && s.image() != null) {
                pool.texts.add(s.text());
                pool.audio.add(Floats.asList(s.audio()));
                pool.image.add(Floats.asList(s.image()));
            }
        }
        return pool;
    }

    int size() {
        return SIZE;
    }

    String text(int i) {
        return texts.get(i);
    }

    List<Float> audio(int i) {
        return audio.get(i);
    }

    List<Float> image(int i) {
        return image.get(i);
    }
}
