package dev.fusion.jobs.synthetic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The Java sampler draws from the distribution of generator.json: presence and corruption rates,
 * class means of the feature views, and text vocabularies (statistical checks, fixed seeds).
 */
class SyntheticDistributionTest {

    private static final int N = 20_000;
    private final SyntheticDistribution dist = SyntheticDistribution.bundled();

    @Test
    void presenceAndCorruptionRatesMatchTheGenerator() throws Exception {
        JsonNode g = generator();
        Random random = new Random(1);
        int[] present = new int[3];
        int[] corrupted = new int[3];
        for (int i = 0; i < N; i++) {
            SyntheticSample s = dist.sample(dist.sampleClass(random), random);
            boolean[] p = {s.text() != null, s.audio() != null, s.image() != null};
            assertThat(p[0] || p[1] || p[2]).as("at least one view").isTrue();
            for (int m = 0; m < 3; m++) {
                present[m] += p[m] ? 1 : 0;
                corrupted[m] += s.corrupted()[m] ? 1 : 0;
            }
        }
        String[] names = {"text", "audio", "image"};
        double allAbsent = 1;
        for (String name : names) {
            allAbsent *= g.get("absence_rate").get(name).asDouble();
        }
        for (int m = 0; m < 3; m++) {
            double absence = g.get("absence_rate").get(names[m]).asDouble();
            // Step 2 redraws when all three are absent: condition on "not all absent".
            double expectedPresent = (1 - absence) / (1 - allAbsent);
            assertThat(present[m] / (double) N).as(names[m] + " presence")
                    .isCloseTo(expectedPresent, Offset.offset(0.015));
            assertThat(corrupted[m] / (double) present[m]).as(names[m] + " corruption")
                    .isCloseTo(g.get("corruption_rate").get(names[m]).asDouble(), Offset.offset(0.015));
        }
    }

    @Test
    void cleanFeatureViewsAverageToTheirClassMean() throws Exception {
        JsonNode mean = generator().get("audio").get("class_means").get(3);
        Random random = new Random(2);
        double[] sum = new double[dist.audioDim()];
        int n = 0;
        while (n < 4000) {
            SyntheticSample s = dist.sample(3, random);
            if (s.audio() != null && !s.corrupted()[1]) {
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += s.audio()[i];
                }
                n++;
            }
        }
        for (int i = 0; i < sum.length; i++) {
            // Per-coordinate variance is noise (1) plus nuisance: 0.15 is over 5 standard errors.
            assertThat(sum[i] / n).as("audio[%d]", i).isCloseTo(mean.get(i).asDouble(), Offset.offset(0.15));
        }
    }

    @Test
    void textsUseOnlyTheGeneratorsWordsInItsFormat() throws Exception {
        JsonNode text = generator().get("text");
        Set<String> vocabulary = new HashSet<>();
        text.get("shared_words").forEach(w -> vocabulary.add(w.asText()));
        text.get("noise_words").forEach(w -> vocabulary.add(w.asText()));
        text.get("class_words").forEach(c -> c.forEach(w -> vocabulary.add(w.asText())));
        Random random = new Random(3);
        for (int i = 0; i < 2000; i++) {
            SyntheticSample s = dist.sample(dist.sampleClass(random), random);
            if (s.text() == null) {
                continue;
            }
            assertThat(s.text()).endsWith(".");
            assertThat(Character.isUpperCase(s.text().charAt(0))).isTrue();
            String[] words = s.text().substring(0, s.text().length() - 1).toLowerCase().split(" ");
            assertThat(words.length).isBetween(text.get("min_words").asInt(), text.get("max_words").asInt());
            assertThat(vocabulary).contains(words);
        }
    }

    @Test
    void theSameSeedGivesTheSameSamples() {
        SyntheticSample a = dist.sample(5, new Random(42));
        SyntheticSample b = dist.sample(5, new Random(42));
        assertThat(a.text()).isEqualTo(b.text());
        assertThat(a.audio()).isEqualTo(b.audio());
        assertThat(a.image()).isEqualTo(b.image());
    }

    private static JsonNode generator() throws Exception {
        try (InputStream in = SyntheticDistributionTest.class.getResourceAsStream("/fusion-models/generator.json")) {
            return new ObjectMapper().readTree(in);
        }
    }
}
