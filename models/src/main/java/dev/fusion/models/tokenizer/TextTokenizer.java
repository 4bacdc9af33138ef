package dev.fusion.models.tokenizer;

import dev.fusion.models.manifest.TokenizerConfig;

/**
 * Turns one text into the token ids a text routing model takes; the manifest's {@code tokenizer}
 * block says which kind. Every implementation is safe to call from several threads at once; the
 * owner closes it after its last {@link #encode} (native memory, for some kinds).
 */
public interface TextTokenizer extends AutoCloseable {

    /**
     * The ids of {@code text}, at most {@link #maxTokens()}, each in {@code [0, vocabSize())};
     * id 0 is padding, which the text layer ignores.
     */
    long[] encode(String text);

    /** One more than the largest id {@link #encode} can return. */
    int vocabSize();

    /** The most ids {@link #encode} returns for one text. */
    int maxTokens();

    /** Releases native resources, if the kind holds any; {@link #encode} must not run after. */
    @Override
    void close();

    /**
     * Opens the tokenizer a text routing model's manifest block describes (already parsed and
     * validated); a HuggingFace tokenizer file is checked against its sha256 again.
     *
     * @param label how messages name the model, e.g. {@code model 'text-routing'}
     */
    static TextTokenizer open(TokenizerConfig config, String label) {
        return switch (config.type()) {
            case TokenizerConfig.TYPE_HASHING -> HashingTokenizer.of(config);
            case TokenizerConfig.TYPE_HUGGINGFACE -> HuggingFaceTextTokenizer.open(config, label);
            default -> throw new IllegalArgumentException(label + ": tokenizer type '"
                    + config.type() + "' is not one of " + TokenizerConfig.TYPES);
        };
    }
}
