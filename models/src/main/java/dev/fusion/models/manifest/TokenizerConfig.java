package dev.fusion.models.manifest;

/**
 * The {@code tokenizer} block of a text routing model in the manifest.
 *
 * @param type always {@code hashing}
 * @param normalization always {@code NFKC}
 * @param lowercase always true
 * @param ngramMax longest word n-gram; the contract fixes it at 2
 * @param vocabSize ids are in {@code [1, vocabSize - 1]}, 0 is padding
 * @param maxTokens ids kept per text
 * @param hash always {@code fnv1a64}
 */
public record TokenizerConfig(
        String type,
        String normalization,
        boolean lowercase,
        int ngramMax,
        int vocabSize,
        int maxTokens,
        String hash) {

    /** The only values the Java and Python tokenizers implement (docs/MODEL_CONTRACT.md). */
    public static final String TYPE_HASHING = "hashing";
    public static final String NORMALIZATION_NFKC = "NFKC";
    public static final String HASH_FNV1A64 = "fnv1a64";
    public static final int NGRAM_MAX = 2;
}
