package dev.fusion.jobs.synthetic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fusion.models.manifest.Modality;
import dev.fusion.models.manifest.ModelManifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * The synthetic multimodal distribution the models were trained on, read from
 * {@code generator.json} (written by {@code models/training}); samples it exactly as that file's
 * "sampling" section prescribes, with its own random generator. For a model directory without a
 * matching {@code generator.json}, {@link #forModels} gives records of the right shapes whose
 * classes mean nothing ({@link #groundTruth()} says so, and why).
 */
public final class SyntheticDistribution {

    /** The file beside a manifest that describes the distribution its models were trained on. */
    public static final String GENERATOR_FILE = "generator.json";

    /** Absence rate of each modality in a shapes-only distribution. */
    static final double SHAPES_ONLY_ABSENCE = 0.2;
    /** Words of the texts of a shapes-only distribution (any word suits the hashing tokenizer). */
    private static final List<String> SHAPES_ONLY_WORDS = List.of("signal", "event", "entity",
            "stream", "record", "sensor", "frame", "update", "value", "window", "sample", "noise");

    /** Slot of each bundled stream in the arrays below (generator.json describes these three). */
    public static final int TEXT = 0;
    public static final int AUDIO = 1;
    public static final int IMAGE = 2;
    private static final List<String> GENERATOR_STREAMS =
            List.of(Modality.TEXT, Modality.AUDIO, Modality.IMAGE);

    private final int numClasses;
    private final double[] classPrior;
    /** The streams, in slot order: their names and kinds. */
    private final List<Modality> streams;
    private final double[] absenceRate;
    private final double[] corruptionRate;
    /** One per stream, in slot order. */
    private final View[] views;
    /** Null when the classes are the ones the models learnt; else why they are not. */
    private final String noGroundTruth;

    private SyntheticDistribution(JsonNode root) {
        numClasses = root.get("num_classes").asInt();
        classPrior = doubles(root.get("class_prior"));
        streams = List.of(new Modality(Modality.TEXT, TEXT, Modality.Kind.TEXT),
                new Modality(Modality.AUDIO, AUDIO, Modality.Kind.FEATURES),
                new Modality(Modality.IMAGE, IMAGE, Modality.Kind.FEATURES));
        absenceRate = perModality(root.get("absence_rate"));
        corruptionRate = perModality(root.get("corruption_rate"));
        views = new View[] {new TextView(root.get("text")), new FeatureView(root.get("audio")),
            new FeatureView(root.get("image"))};
        noGroundTruth = null;
    }

    /**
     * Uniform classes, and for each stream, texts of a fixed vocabulary or standard-normal
     * features of its routing model's dimension, the same for every class; no corruption.
     */
    private SyntheticDistribution(ModelManifest manifest, String noGroundTruth) {
        this.numClasses = manifest.numClasses();
        this.classPrior = new double[numClasses];
        Arrays.fill(classPrior, 1.0 / numClasses);
        this.streams = manifest.modalities();
        int m = streams.size();
        this.absenceRate = new double[m];
        // One stream alone is always present; more share the absences.
        Arrays.fill(absenceRate, m == 1 ? 0 : SHAPES_ONLY_ABSENCE);
        this.corruptionRate = new double[m];
        this.views = new View[m];
        for (Modality stream : streams) {
            views[stream.index()] = stream.isText() ? new TextView(numClasses)
                    : new FeatureView(manifest.routing(stream).inputDim(), numClasses);
        }
        this.noGroundTruth = noGroundTruth;
    }

    /**
     * What the synthetic producers send to a job serving {@code manifest}: its directory's
     * {@code generator.json} when that describes the models' shapes (then accuracy can be
     * measured), else records of the manifest's shapes without meaningful classes.
     */
    public static SyntheticDistribution forModels(ModelManifest manifest) {
        String where = manifest.location() + "/" + GENERATOR_FILE;
        if (!manifest.hasArtifact(GENERATOR_FILE)) {
            return new SyntheticDistribution(manifest, where + " does not exist");
        }
        SyntheticDistribution described;
        try (InputStream in = manifest.openArtifact(GENERATOR_FILE)) {
            described = new SyntheticDistribution(new ObjectMapper().readTree(in));
        } catch (IOException | RuntimeException e) {
            return new SyntheticDistribution(manifest, where + " cannot be read: " + e.getMessage());
        }
        List<String> names = manifest.modalities().stream().map(Modality::id).toList();
        String mismatch = !names.equals(GENERATOR_STREAMS)
                ? "the streams " + GENERATOR_STREAMS + ", the models " + names
                : described.numClasses != manifest.numClasses()
                        ? described.numClasses + " classes, the models " + manifest.numClasses()
                        : described.audioDim() != manifest.routing(Modality.AUDIO).inputDim()
                                ? "audio " + described.audioDim() + "-d, the audio model takes "
                                        + manifest.routing(Modality.AUDIO).inputDim()
                                : described.imageDim() != manifest.routing(Modality.IMAGE).inputDim()
                                        ? "image " + described.imageDim() + "-d, the image model"
                                                + " takes " + manifest.routing(Modality.IMAGE).inputDim()
                                        : null;
        return mismatch == null ? described
                : new SyntheticDistribution(manifest, where + " describes " + mismatch);
    }

    /** The streams the samples have views of, in slot order. */
    public List<Modality> streams() {
        return streams;
    }

    /**
     * Empty when the sampled classes are the ones the models were trained to predict (accuracy
     * can be measured); else why not.
     */
    public Optional<String> noGroundTruth() {
        return Optional.ofNullable(noGroundTruth);
    }

    /** Events a sample yields on average: present modalities, given that one at least is. */
    public double eventsPerSample() {
        double present = 0;
        double allAbsent = 1;
        for (double rate : absenceRate) {
            present += 1 - rate;
            allAbsent *= rate;
        }
        return present / (1 - allAbsent);
    }

    /** The distribution bundled with the models ({@code fusion-models/generator.json}). */
    public static SyntheticDistribution bundled() {
        try (InputStream in = SyntheticDistribution.class.getResourceAsStream("/fusion-models/generator.json")) {
            if (in == null) {
                throw new IllegalStateException("fusion-models/generator.json is not on the classpath");
            }
            return new SyntheticDistribution(new ObjectMapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled generator.json", e);
        }
    }

    /** The distribution in {@code file}. */
    public static SyntheticDistribution load(Path file) {
        try {
            return new SyntheticDistribution(new ObjectMapper().readTree(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public int numClasses() {
        return numClasses;
    }

    /** The bundled audio stream's feature length. */
    public int audioDim() {
        return ((FeatureView) views[AUDIO]).dim;
    }

    /** The bundled image stream's feature length. */
    public int imageDim() {
        return ((FeatureView) views[IMAGE]).dim;
    }

    /** Step 1: a class drawn from the prior. */
    public int sampleClass(Random random) {
        double u = random.nextDouble();
        double acc = 0;
        for (int c = 0; c < numClasses; c++) {
            acc += classPrior[c];
            if (u < acc) {
                return c;
            }
        }
        return numClasses - 1;
    }

    /**
     * Steps 2-5 for an entity of class {@code y}: per stream, in slot order, whether it is
     * present, whether corrupted, and its view.
     */
    public SyntheticSample sample(int y, Random random) {
        int m = views.length;
        boolean[] absent = new boolean[m];
        boolean allAbsent;
        do {
            allAbsent = true;
            for (int i = 0; i < m; i++) {
                absent[i] = random.nextDouble() < absenceRate[i];
                allAbsent &= absent[i];
            }
        } while (allAbsent);
        boolean[] corrupted = new boolean[m];
        for (int i = 0; i < m; i++) {
            corrupted[i] = !absent[i] && random.nextDouble() < corruptionRate[i];
        }
        Object[] drawn = new Object[m];
        for (int i = 0; i < m; i++) {
            drawn[i] = absent[i] ? null : views[i].sample(y, corrupted[i], random);
        }
        return new SyntheticSample(y, drawn, corrupted);
    }

    /** A corrupted (pure noise) view of the stream in {@code slot}, for the corruption switch. */
    public Object noise(int slot, Random random) {
        return views[slot].sample(0, true, random);
    }

    private static double[] perModality(JsonNode node) {
        return new double[] {node.get("text").asDouble(), node.get("audio").asDouble(),
            node.get("image").asDouble()};
    }

    private static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>(array.size());
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** One stream's view of a sample: a text (String) or a feature vector (float[]). */
    private interface View {
        Object sample(int y, boolean corrupted, Random random);
    }

    /** Step 4: sentences from class, shared and noise vocabularies. */
    private static final class TextView implements View {
        final int minWords;
        final int maxWords;
        final double pClass;
        final double pShared;
        final List<List<String>> classWords = new ArrayList<>();
        final List<String> sharedWords;
        final List<String> noiseWords;

        /** Sentences of {@link #SHAPES_ONLY_WORDS}, the same for every class. */
        TextView(int numClasses) {
            minWords = 3;
            maxWords = 12;
            pClass = 0;
            pShared = 1;
            for (int c = 0; c < numClasses; c++) {
                classWords.add(SHAPES_ONLY_WORDS);
            }
            sharedWords = SHAPES_ONLY_WORDS;
            noiseWords = SHAPES_ONLY_WORDS;
        }

        TextView(JsonNode node) {
            minWords = node.get("min_words").asInt();
            maxWords = node.get("max_words").asInt();
            pClass = node.get("p_class").asDouble();
            pShared = node.get("p_shared").asDouble();
            node.get("class_words").forEach(words -> classWords.add(strings(words)));
            sharedWords = strings(node.get("shared_words"));
            noiseWords = strings(node.get("noise_words"));
        }

        @Override
        public String sample(int y, boolean corrupted, Random random) {
            int n = minWords + random.nextInt(maxWords - minWords + 1);
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < n; w++) {
                List<String> from;
                if (corrupted) {
                    from = noiseWords;
                } else {
                    double u = random.nextDouble();
                    from = u < pClass ? classWords.get(y) : u < pClass + pShared ? sharedWords : noiseWords;
                }
                if (w > 0) {
                    sb.append(' ');
                }
                sb.append(from.get(random.nextInt(from.size())));
            }
            sb.setCharAt(0, Character.toUpperCase(sb.charAt(0)));
            return sb.append('.').toString();
        }
    }

    /** Step 5: class mean plus low-rank nuisance plus isotropic noise. */
    private static final class FeatureView implements View {
        final int dim;
        final int rank;
        final double noiseStd;
        final double corruptionStd;
        final double[][] classMeans;
        final double[][] nuisanceBasis;

        /** Standard-normal features, the same for every class; corruption is 10 times wider. */
        FeatureView(int dim, int numClasses) {
            this.dim = dim;
            rank = 0;
            noiseStd = 1;
            corruptionStd = 10;
            classMeans = new double[numClasses][dim];
            nuisanceBasis = new double[0][];
        }

        FeatureView(JsonNode node) {
            dim = node.get("dim").asInt();
            rank = node.get("nuisance_rank").asInt();
            noiseStd = node.get("noise_std").asDouble();
            corruptionStd = node.get("corruption_std").asDouble();
            classMeans = matrix(node.get("class_means"));
            nuisanceBasis = matrix(node.get("nuisance_basis"));
        }

        @Override
        public float[] sample(int y, boolean corrupted, Random random) {
            float[] x = new float[dim];
            if (corrupted) {
                for (int i = 0; i < dim; i++) {
                    x[i] = (float) (corruptionStd * random.nextGaussian());
                }
                return x;
            }
            double[] f = new double[rank];
            for (int j = 0; j < rank; j++) {
                f[j] = random.nextGaussian();
            }
            for (int i = 0; i < dim; i++) {
                double v = classMeans[y][i] + noiseStd * random.nextGaussian();
                for (int j = 0; j < rank; j++) {
                    v += f[j] * nuisanceBasis[j][i];
                }
                x[i] = (float) v;
            }
            return x;
        }

        private static double[][] matrix(JsonNode rows) {
            double[][] out = new double[rows.size()][];
            for (int r = 0; r < out.length; r++) {
                out[r] = doubles(rows.get(r));
            }
            return out;
        }
    }
}
