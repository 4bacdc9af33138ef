package dev.fusion.models.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import dev.fusion.models.manifest.ModelManifest;
import dev.fusion.models.manifest.ModelRole;
import dev.fusion.models.manifest.ModelSpec;
import dev.fusion.models.manifest.Modality;
import dev.fusion.models.manifest.TensorNames;
import dev.fusion.models.runtime.Device;
import dev.fusion.models.runtime.RuntimeOptions;
import dev.fusion.models.tokenizer.TextTokenizer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The text routing layer: texts (tokenized here) or token ids in, embeddings and gate logits out.
 * Thread-safe; instances share one session per JVM, and each owns its tokenizer (for a
 * HuggingFace one, native memory freed by {@link #close}).
 */
public final class TextRoutingModel implements AutoCloseable {

    private static final String[] OUTPUTS = {TensorNames.EMBEDDING, TensorNames.GATE_LOGIT};

    private final ModelRunner runner;
    private final TextTokenizer tokenizer;
    private final int dim;
    private final long[] zeros;

    private TextRoutingModel(ModelSpec spec, RuntimeOptions options) {
        if (spec.role() != ModelRole.ROUTING || spec.tokenizer() == null) {
            throw new IllegalArgumentException(spec.label()
                    + " is not a text routing model (it has no tokenizer)");
        }
        this.dim = (int) spec.output(TensorNames.EMBEDDING).dim(1);
        this.tokenizer = TextTokenizer.open(spec.tokenizer(), spec.label());
        this.zeros = new long[tokenizer.maxTokens()];
        try {
            this.runner = new ModelRunner(spec, options);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /**
     * Opens the text routing model of a validated manifest with one text modality (the bundled
     * models have one, {@code text}).
     */
    public static TextRoutingModel open(ModelManifest manifest, RuntimeOptions options) {
        List<Modality> texts = manifest.modalities().stream().filter(Modality::isText).toList();
        if (texts.size() != 1) {
            throw new IllegalArgumentException("the manifest has " + texts.size()
                    + " text modalities; name the one to open");
        }
        return open(manifest, texts.get(0), options);
    }

    /** Opens the routing model of a text modality of a validated manifest. */
    public static TextRoutingModel open(ModelManifest manifest, Modality modality,
            RuntimeOptions options) {
        return open(manifest.routing(modality), options);
    }

    /** Opens (or shares) the session of a text routing model. */
    public static TextRoutingModel open(ModelSpec spec, RuntimeOptions options) {
        return new TextRoutingModel(spec, options);
    }

    /**
     * Tokenizes and routes a batch of texts. An empty text is valid (it gets the empty bag);
     * rejecting empty or over-long texts is the caller's policy.
     *
     * @throws InvalidInputException naming the first null text; nothing has run
     */
    public RoutingResult routeTexts(List<String> texts) {
        List<long[]> ids = new ArrayList<>(texts.size());
        for (int row = 0; row < texts.size(); row++) {
            String text = texts.get(row);
            if (text == null) {
                throw new InvalidInputException(label(), row, "text", "is missing");
            }
            ids.add(tokenizer.encode(text));
        }
        return routeTokenIds(ids);
    }

    /** As {@link #routeTokenIds(List)}. */
    public RoutingResult routeTokenIds(long[][] ids) {
        return routeTokenIds(Arrays.asList(ids));
    }

    /**
     * Routes rows of token ids, right-padding each with 0 to the longest row (at least 1). Rows
     * may already carry padding zeros: the model ignores them.
     *
     * @throws InvalidInputException naming the first row with an id outside
     *     {@code [0, vocab_size)} or more than {@code max_tokens} ids; nothing has run
     */
    public RoutingResult routeTokenIds(List<long[]> ids) {
        int rows = ids.size();
        int width = 1;
        for (int row = 0; row < rows; row++) {
            checkIds(row, ids.get(row));
            width = Math.max(width, ids.get(row).length);
        }
        if (rows == 0) {
            return RoutingResult.empty(dim);
        }
        LongBuffer packed = DirectScratch.get().longs(0, Math.multiplyExact(rows, width));
        for (long[] row : ids) {
            packed.put(row);
            packed.put(zeros, 0, width - row.length);
        }
        packed.rewind();
        long[] shape = {rows, width};
        try (OnnxTensor input = OnnxTensor.createTensor(runner.environment(), packed, shape)) {
            float[][] out = runner.run(Map.of(TensorNames.INPUT_IDS, input), rows, OUTPUTS,
                    new int[] {dim, 1});
            return new RoutingResult(rows, dim, out[0], out[1]);
        } catch (OrtException e) {
            throw runner.failure(rows, e);
        }
    }

    private void checkIds(int row, long[] ids) {
        if (ids == null) {
            throw new InvalidInputException(label(), row, TensorNames.INPUT_IDS, "is missing");
        }
        if (ids.length > tokenizer.maxTokens()) {
            throw new InvalidInputException(label(), row, TensorNames.INPUT_IDS, "has "
                    + ids.length + " ids, more than max_tokens " + tokenizer.maxTokens());
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= tokenizer.vocabSize()) {
                throw new InvalidInputException(label(), row, TensorNames.INPUT_IDS, "has id "
                        + ids[i] + " at index " + i + ", outside [0, " + tokenizer.vocabSize()
                        + ")");
            }
        }
    }

    /** The tokenizer this model's manifest entry describes; this model closes it. */
    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    public ModelSpec spec() {
        return runner.spec();
    }

    /** D, the embedding length. */
    public int embeddingDim() {
        return dim;
    }

    /** Where the shared session runs. */
    public Device device() {
        return runner.device();
    }

    private String label() {
        return runner.label();
    }

    /** Releases this instance's lease on the shared session, and its tokenizer. */
    @Override
    public void close() {
        try {
            runner.close();
        } finally {
            tokenizer.close();
        }
    }
}
