package dev.fusion.bench.model;

import dev.fusion.jobs.synthetic.SyntheticDistribution;
import dev.fusion.jobs.synthetic.SyntheticSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Batches of model inputs drawn from the distribution the models were trained on, every
 * modality present: texts for the tokenizer and text model, audio and image feature rows.
 */
final class ModelInputs {

    final List<String> texts;
    final List<float[]> audio;
    final List<float[]> image;

    private ModelInputs(List<String> texts, List<float[]> audio, List<float[]> image) {
        this.texts = texts;
        this.audio = audio;
        this.image = image;
    }

    /** {@code rows} complete samples, reproducible from {@code seed}. */
    static ModelInputs draw(int rows, long seed) {
        SyntheticDistribution distribution = SyntheticDistribution.bundled();
        Random random = new Random(seed);
        List<String> texts = new ArrayList<>(rows);
        List<float[]> audio = new ArrayList<>(rows);
        List<float[]> image = new ArrayList<>(rows);
        while (texts.size() < rows) {
            SyntheticSample s = distribution.sample(distribution.sampleClass(random), random);
            if (s.text() != null && s.audio() != null && s.image() != null) {
                texts.add(s.text());
                audio.add(s.audio());
                image.add(s.image());
            }
        }
        return new ModelInputs(texts, audio, image);
    }
}
