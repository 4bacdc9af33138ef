package dev.fusion.models.manifest;

import java.util.List;

/**
 * The {@code tokenizer} block of a text routing model in the manifest: the hashing tokenizer, or a
 * HuggingFace {@code tokenizer.json} beside the manifest (docs/MODEL_CONTRACT.md).
 *
 * @param type {@code hashing} or {@code huggingface}
 * @param normalization hashing: always {@code NFKC}; huggingface: null (the file says)
 * @param lowercase hashing: always true; huggingface: false (the file says)
 * @param ngramMax hashing: longest word n-gram, the contract fixes it at 2; huggingface: 0
 * @param vocabSize ids are in {@code [0, vocabSize - 1]}, 0 is padding; for huggingface, checked
 *     at load against the ids the file holds
 * @param maxTokens ids kept per text (huggingface: special tokens included)
 * @param hash hashing: always {@code fnv1a64}; huggingface: null
 * @param file huggingface: the tokenizer file, relative to the manifest; hashing: null
 * @param sha256 huggingface: lower-case hex SHA-256 of {@code file}; hashing: null
 * @param source huggingface: where the bytes of {@code file} are read from; hashing: null
 */
public record TokenizerConfig(
        String type,
        String normalization,
        boolean lowercase,
        int ngramMax,
        int vocabSize,
        int maxTokens,
        String hash,
        String file,
        String sha256,
        ModelSource source) {

    /** The only values the Java and Python hashing tokenizers implement. */
    public static final String TYPE_HASHING = "hashing";
    public static final String TYPE_HUGGINGFACE = "huggingface";
    public static final List<String> TYPES = List.of(TYPE_HASHING, TYPE_HUGGINGFACE);
    public static final String NORMALIZATION_NFKC = "NFKC";
    public static final String HASH_FNV1A64 = "fnv1a64";
    public static final int NGRAM_MAX = 2;

    /** A hashing tokenizer block. */
    public TokenizerConfig(
            String type,
            String normalization,
            boolean lowercase,
            int ngramMax,
            int vocabSize,
            int maxTokens,
            String hash) {
        this(type, normalization, lowercase, ngramMax, vocabSize, maxTokens, hash, null, null,
                null);
    }

    /** A huggingface tokenizer block. */
    public static TokenizerConfig huggingFace(
            String file, String sha256, int vocabSize, int maxTokens, ModelSource source) {
        return new TokenizerConfig(TYPE_HUGGINGFACE, null, false, 0, vocabSize, maxTokens, null,
                file, sha256, source);
    }

    /**
     * Reads the HuggingFace tokenizer file and checks its SHA-256 against the manifest.
     *
     * @param label how messages name the model
     * @throws ModelValidationException if the file is missing, unreadable or altered
     */
    public byte[] readVerifiedFile(String label) {
        if (source == null) {
            throw new IllegalStateException(label + ": a " + type + " tokenizer has no file");
        }
        return ArtifactVerifier.readVerified(label, file, sha256, source);
    }
}
