package dev.fusion.models.tokenizer;

import dev.fusion.models.manifest.TokenizerConfig;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Objects;

/**
 * The deterministic hashing tokenizer of docs/MODEL_CONTRACT.md, token for token identical to
 * {@code models/training/tokenizer.py}. Thread-safe; allocates little beyond the result.
 */
public final class HashingTokenizer implements TextTokenizer {

    static final long FNV64_OFFSET_BASIS = 0xcbf29ce484222325L;
    static final long FNV64_PRIME = 0x100000001b3L;

    /** General categories Lu Ll Lt Lm Lo Mn Mc Me Nd Nl No: the code points that form words. */
    private static final int WORD_TYPES = 1 << Character.UPPERCASE_LETTER
            | 1 << Character.LOWERCASE_LETTER
            | 1 << Character.TITLECASE_LETTER
            | 1 << Character.MODIFIER_LETTER
            | 1 << Character.OTHER_LETTER
            | 1 << Character.NON_SPACING_MARK
            | 1 << Character.COMBINING_SPACING_MARK
            | 1 << Character.ENCLOSING_MARK
            | 1 << Character.DECIMAL_DIGIT_NUMBER
            | 1 << Character.LETTER_NUMBER
            | 1 << Character.OTHER_NUMBER;

    private static final long[] NO_IDS = new long[0];

    /** Word boundaries and hashes of the text being encoded, reused across calls per thread. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final int vocabSize;
    private final int maxTokens;

    public HashingTokenizer(int vocabSize, int maxTokens) {
        if (vocabSize < 2) {
            throw new IllegalArgumentException("vocab_size must be at least 2 but is " + vocabSize);
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max_tokens must be at least 1 but is " + maxTokens);
        }
        this.vocabSize = vocabSize;
        this.maxTokens = maxTokens;
    }

    /** The tokenizer a text routing model's manifest entry describes (already validated). */
    public static HashingTokenizer of(TokenizerConfig config) {
        return new HashingTokenizer(config.vocabSize(), config.maxTokens());
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int maxTokens() {
        return maxTokens;
    }

    /**
     * Token ids of one text: unigrams in order, then adjacent bigrams, at most {@code max_tokens};
     * empty when the text has no words. Every id is in {@code [1, vocab_size - 1]}.
     */
    @Override
    public long[] encode(String text) {
        Objects.requireNonNull(text, "text");
        String words = normalize(text);
        Scratch scratch = SCRATCH.get().ensure(maxTokens);
        int[] starts = scratch.starts;
        int[] ends = scratch.ends;
        long[] hashes = scratch.hashes;

        // Bigrams come after all unigrams, so once max_tokens words are found the rest is cut.
        int count = 0;
        int length = words.length();
        int i = 0;
        while (i < length && count < maxTokens) {
            int cp = words.codePointAt(i);
            if (!isWordCodePoint(cp)) {
                i += Character.charCount(cp);
                continue;
            }
            int start = i;
            long hash = FNV64_OFFSET_BASIS;
            do {
                hash = hashCodePoint(hash, cp);
                i += Character.charCount(cp);
            } while (i < length && isWordCodePoint(cp = words.codePointAt(i)));
            starts[count] = start;
            ends[count] = i;
            hashes[count] = hash;
            count++;
        }
        if (count == 0) {
            return NO_IDS;
        }
        int bigrams = Math.min(count - 1, maxTokens - count);
        long[] ids = new long[count + bigrams];
        for (int w = 0; w < count; w++) {
            ids[w] = toId(hashes[w]);
        }
        for (int b = 0; b < bigrams; b++) {
            // FNV-1a is a stream hash: "w1 w2" continues the state of "w1" with ' ' and then w2.
            long hash = step(hashes[b], ' ');
            hash = hashRange(hash, words, starts[b + 1], ends[b + 1]);
            ids[count + b] = toId(hash);
        }
        return ids;
    }

    /** Holds nothing to release. */
    @Override
    public void close() {
    }

    /** NFKC then full lower-casing; both return their argument when there is nothing to change. */
    private static String normalize(String text) {
        String normalized = Normalizer.isNormalized(text, Normalizer.Form.NFKC)
                ? text
                : Normalizer.normalize(text, Normalizer.Form.NFKC);
        return normalized.toLowerCase(Locale.ROOT);
    }

    static boolean isWordCodePoint(int codePoint) {
        return (WORD_TYPES & (1 << Character.getType(codePoint))) != 0;
    }

    long toId(long hash) {
        return 1 + Long.remainderUnsigned(hash, vocabSize - 1);
    }

    /** 64-bit FNV-1a of the UTF-8 encoding of {@code term}. */
    static long fnv1a64(CharSequence term) {
        return hashRange(FNV64_OFFSET_BASIS, term, 0, term.length());
    }

    private static long hashRange(long hash, CharSequence text, int start, int end) {
        int i = start;
        while (i < end) {
            int cp = Character.codePointAt(text, i);
            hash = hashCodePoint(hash, cp);
            i += Character.charCount(cp);
        }
        return hash;
    }

    /** Feeds the UTF-8 bytes of one code point without encoding the string to a byte array. */
    private static long hashCodePoint(long hash, int cp) {
        if (cp < 0x80) {
            return step(hash, cp);
        }
        if (cp < 0x800) {
            hash = step(hash, 0xc0 | cp >>> 6);
        } else if (cp < 0x10000) {
            hash = step(hash, 0xe0 | cp >>> 12);
            hash = step(hash, 0x80 | (cp >>> 6) & 0x3f);
        } else {
            hash = step(hash, 0xf0 | cp >>> 18);
            hash = step(hash, 0x80 | (cp >>> 12) & 0x3f);
            hash = step(hash, 0x80 | (cp >>> 6) & 0x3f);
        }
        return step(hash, 0x80 | cp & 0x3f);
    }

    private static long step(long hash, int octet) {
        return (hash ^ (octet & 0xff)) * FNV64_PRIME;
    }

    /** Per-thread buffers sized for the largest {@code max_tokens} seen on that thread. */
    private static final class Scratch {
        int[] starts = new int[0];
        int[] ends = new int[0];
        long[] hashes = new long[0];

        Scratch ensure(int capacity) {
            if (starts.length < capacity) {
                starts = new int[capacity];
                ends = new int[capacity];
                hashes = new long[capacity];
            }
            return this;
        }
    }
}
