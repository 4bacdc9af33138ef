package dev.fusion.models.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.fusion.models.manifest.ModelValidationException;
import dev.fusion.models.manifest.TokenizerConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A HuggingFace {@code tokenizer.json} (WordPiece or BPE), run by DJL's binding of the Rust
 * tokenizers library.
 *
 * <p>Special tokens are what the file's post-processor adds (BERT's {@code [CLS] ... [SEP]}, none
 * for GPT-2's ByteLevel); they count towards {@code max_tokens}, to which every text is truncated
 * (longest-first, the specials kept). The file's own {@code truncation} and {@code padding} blocks
 * are replaced by that: the text layer pads with id 0 itself. Checked when opened: the file's
 * sha256, its model type, that its vocabulary size equals the manifest's {@code vocab_size}, that
 * id 0 is its pad token, and that {@code max_tokens} leaves room for the special tokens.
 *
 * <p>Thread-safe: the Rust tokenizer is immutable once configured, so concurrent {@link #encode}
 * calls share it; a read-write lock keeps {@link #close} (which frees the native tokenizer) from
 * running under an {@link #encode}, and an {@link #encode} after it fails instead of crashing.
 */
public final class HuggingFaceTextTokenizer implements TextTokenizer {

    private final HuggingFaceTokenizer tokenizer;
    private final int vocabSize;
    private final int maxTokens;
    private final String label;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    private HuggingFaceTextTokenizer(
            HuggingFaceTokenizer tokenizer, int vocabSize, int maxTokens, String label) {
        this.tokenizer = tokenizer;
        this.vocabSize = vocabSize;
        this.maxTokens = maxTokens;
        this.label = label;
    }

    /**
     * Reads, checks and loads the tokenizer file of a {@code huggingface} block.
     *
     * @param label how messages name the model, e.g. {@code model 'text-routing'}
     * @throws ModelValidationException naming the model and the fault
     */
    public static HuggingFaceTextTokenizer open(TokenizerConfig config, String label) {
        Objects.requireNonNull(config, "config");
        String where = label + ": tokenizer " + config.file();
        if (config.maxTokens() < 1) {
            throw new ModelValidationException(label + ": tokenizer max_tokens must be at least 1"
                    + " but is " + config.maxTokens());
        }
        byte[] json = config.readVerifiedFile(label);
        HuggingFaceVocabulary vocabulary = HuggingFaceVocabulary.read(json, where);
        if (vocabulary.size() != config.vocabSize()) {
            throw new ModelValidationException(label + ": tokenizer vocab_size is "
                    + config.vocabSize() + " but " + config.file() + " holds ids 0 to "
                    + (vocabulary.size() - 1) + " (vocab_size " + vocabulary.size() + ")");
        }
        if (!vocabulary.idZeroIsPadding()) {
            throw new ModelValidationException(where + ": id 0 is '" + vocabulary.idZeroToken()
                    + "', not a pad token; the text layer ignores id 0 as padding, so id 0 must be"
                    + " the pad token (" + padTokens(vocabulary) + ")");
        }
        HuggingFaceTextTokenizer opened =
                new HuggingFaceTextTokenizer(load(json, config.maxTokens(), where),
                        config.vocabSize(), config.maxTokens(), label);
        try {
            opened.checkRoomForSpecialTokens(where);
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
        return opened;
    }

    /**
     * One more than the largest id of a tokenizer.json, for drafting a manifest.
     *
     * @param where how messages name the file
     * @throws ModelValidationException if the file is not a tokenizer.json of a supported model
     */
    public static int vocabularySize(byte[] json, String where) {
        return HuggingFaceVocabulary.read(json, where).size();
    }

    private static String padTokens(HuggingFaceVocabulary vocabulary) {
        String names = String.join(" or ", HuggingFaceVocabulary.PAD_TOKENS);
        return vocabulary.padToken() == null ? names
                : names + " or the file's padding.pad_token '" + vocabulary.padToken() + "'";
    }

    private static HuggingFaceTokenizer load(byte[] json, int maxTokens, String where) {
        try {
            DjlNatives.prepare();
        } catch (IllegalStateException e) {
            throw new ModelValidationException(where + ": " + e.getMessage(), e);
        }
        // The post-processor's special tokens are added; truncation keeps them within maxLength.
        // modelMaxLength too, as DJL would otherwise cap maxLength at 512.
        Map<String, String> options = Map.of(
                "addSpecialTokens", "true",
                "truncation", "true",
                "padding", "false",
                "maxLength", Integer.toString(maxTokens),
                "modelMaxLength", Integer.toString(maxTokens));
        try {
            return HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json), options);
        } catch (IOException | RuntimeException e) {
            throw new ModelValidationException(where + ": DJL's HuggingFace tokenizers cannot"
                    + " load it: " + e.getMessage(), e);
        }
    }

    /** The empty text gets only the special tokens: they must fit. */
    private void checkRoomForSpecialTokens(String where) {
        long[] specials;
        try {
            specials = encode("");
        } catch (RuntimeException e) {
            throw new ModelValidationException(where + ": max_tokens " + maxTokens
                    + " leaves no room for the special tokens its post-processor adds: "
                    + e.getMessage(), e);
        }
        if (specials.length >= maxTokens) {
            throw new ModelValidationException(where + ": max_tokens " + maxTokens
                    + " leaves no room for text beside the " + specials.length
                    + " special tokens its post-processor adds");
        }
    }

    /**
     * The file's ids of {@code text}, special tokens included, truncated to {@code max_tokens}.
     *
     * @throws IllegalStateException after {@link #close}
     */
    @Override
    public long[] encode(String text) {
        Objects.requireNonNull(text, "text");
        lock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException(label + ": the tokenizer is closed");
            }
            return tokenizer.encode(text).getIds();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int maxTokens() {
        return maxTokens;
    }

    /** Frees the native tokenizer; idempotent. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                tokenizer.close();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
