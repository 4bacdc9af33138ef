package dev.fusion.models.inference;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Deterministic batches for the concurrency and batch-size tests (fixed seeds). */
final class RandomInputs {

    private static final String[] WORDS = {
        "river", "stone", "Kafka", "flink", "über", "naïve", "東京", "данные", "signal", "noise",
        "42", "β-test", "émigré", "loud", "quiet", "image", "sound", "text", "fusion", "gate"
    };

    /** The bundled models' modalities: text, audio, image. */
    static final int MODALITIES = 3;

    private RandomInputs() {
    }

    static float[][] features(int rows, int dim, long seed) {
        Random random = new Random(seed);
        float[][] out = new float[rows][dim];
        for (float[] row : out) {
            for (int i = 0; i < dim; i++) {
                row[i] = (float) (random.nextGaussian() * 1.5);
            }
        }
        return out;
    }

    /** Texts of 0 to 20 words, so rows pad to different lengths. */
    static List<String> texts(int rows, long seed) {
        Random random = new Random(seed);
        List<String> out = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            StringBuilder text = new StringBuilder();
            int words = random.nextInt(21);
            for (int w = 0; w < words; w++) {
                text.append(w == 0 ? "" : random.nextBoolean() ? " " : ", ")
                        .append(WORDS[random.nextInt(WORDS.length)]);
            }
            out.add(text.toString());
        }
        return out;
    }

    /** Non-negative embeddings (as the routing layers emit) with every presence pattern. */
    static IntegrationBatch integration(int rows, int dim, long seed) {
        Random random = new Random(seed);
        IntegrationBatch batch = new IntegrationBatch(MODALITIES, rows);
        for (int r = 0; r < rows; r++) {
            int pattern = 1 + r % 7;
            float[][] embeddings = new float[MODALITIES][];
            float[] gates = new float[MODALITIES];
            for (int m = 0; m < MODALITIES; m++) {
                if ((pattern & (1 << m)) != 0) {
                    embeddings[m] = new float[dim];
                    for (int i = 0; i < dim; i++) {
                        embeddings[m][i] = (float) Math.max(0, random.nextGaussian());
                    }
                    gates[m] = (float) (random.nextGaussian() * 3);
                }
            }
            batch.add(embeddings, gates);
        }
        return batch;
    }

    /** Row {@code row} of {@code batch} as a batch of its own. */
    static IntegrationBatch single(IntegrationBatch batch, int row) {
        IntegrationBatch one = new IntegrationBatch(batch.modalities(), 1);
        float[][] embeddings = new float[batch.modalities()][];
        float[] gates = new float[batch.modalities()];
        for (int m = 0; m < gates.length; m++) {
            embeddings[m] = batch.embedding(row, m);
            gates[m] = batch.gate(row, m);
        }
        one.add(embeddings, gates);
        return one;
    }
}
