package dev.fusion.models.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Unit checks of the hashing tokenizer; the expected ids come from
 * {@code models/training/tokenizer.py} (vocab 16384, max 256 tokens).
 */
class HashingTokenizerTest {

    private final HashingTokenizer tokenizer = new HashingTokenizer(16384, 256);

    @Test
    void fnv1a64MatchesTheReferenceValues() {
        assertThat(HashingTokenizer.fnv1a64("")).isEqualTo(0xcbf29ce484222325L);
        assertThat(HashingTokenizer.fnv1a64("a")).isEqualTo(0xaf63dc4c8601ec8cL);
        assertThat(HashingTokenizer.fnv1a64("foobar")).isEqualTo(0x85944171f73967e8L);
    }

    @Test
    void unigramsComeFirstThenBigrams() {
        // a, b, c, "a b", "b c"
        assertThat(tokenizer.encode("a b c")).containsExactly(8963, 6173, 1642, 11516, 10814);
    }

    @Test
    void punctuationSeparatesAndCaseFolds() {
        assertThat(tokenizer.encode("Hello, World!")).containsExactly(4345, 9180, 8540);
        assertThat(tokenizer.encode("Ab")).containsExactly(5398);
        assertThat(tokenizer.encode("don't stop")).containsExactly(9419, 2334, 7590, 16297, 8406);
        assertThat(tokenizer.encode("a\u0000b")).containsExactly(8963, 6173, 11516);
    }

    @Test
    void digitsAreWordCharacters() {
        assertThat(tokenizer.encode("x1 2y")).containsExactly(13246, 7145, 1353);
    }

    @Test
    void nfkcFoldsCompatibilityForms() {
        // Mathematical bold capitals (supplementary code points), the fi ligature, full width.
        assertThat(tokenizer.encode("\uD835\uDC00\uD835\uDC01 x"))
                .containsExactly(5398, 7557, 8421);
        assertThat(tokenizer.encode("\uFB01ne \uFF21\uFF22\uFF23"))
                .containsExactly(14739, 5809, 11625);
    }

    @Test
    void composedAndDecomposedAccentsAgree() {
        assertThat(tokenizer.encode("e\u0301t\u00e9")).containsExactly(4793);
        assertThat(tokenizer.encode("\u00e9t\u00e9")).containsExactly(4793);
    }

    @Test
    void greekCapitalSigmaLowersToFinalSigmaAtWordEnd() {
        assertThat(tokenizer.encode("\u039F\u0394\u039F\u03A3 \u039F\u0394\u039F\u03A3"))
                .containsExactly(13608, 13608, 7214);
    }

    @Test
    void dottedCapitalIKeepsItsCombiningDot() {
        assertThat(tokenizer.encode("\u0130stanbul")).containsExactly(15857);
    }

    @Test
    void textWithoutWordsHasNoIds() {
        assertThat(tokenizer.encode("")).isEmpty();
        assertThat(tokenizer.encode(" \t\n ")).isEmpty();
        assertThat(tokenizer.encode("?!... \uD83D\uDE00")).isEmpty();
    }

    @Test
    void truncatesToMaxTokensKeepingUnigramsFirst() {
        String many = IntStream.range(0, 300).mapToObj(i -> "w" + i)
                .collect(Collectors.joining(" "));
        long[] ids = tokenizer.encode(many);
        assertThat(ids).hasSize(256);
        assertThat(ids[0]).isEqualTo(tokenizer.encode("w0")[0]);
        assertThat(ids[255]).isEqualTo(tokenizer.encode("w255")[0]);

        // 200 words: all 200 unigrams, then only the first 56 bigrams fit.
        String some = IntStream.range(0, 200).mapToObj(i -> "w" + i)
                .collect(Collectors.joining(" "));
        long[] cut = tokenizer.encode(some);
        assertThat(cut).hasSize(256);
        assertThat(cut[200]).isEqualTo(tokenizer.encode("w0 w1")[2]);
        assertThat(cut[255]).isEqualTo(tokenizer.encode("w55 w56")[2]);
    }

    @Test
    void idsStayInsideTheVocabularyAndAvoidPadding() {
        HashingTokenizer tiny = new HashingTokenizer(2, 4);
        assertThat(tiny.encode("a b c d e")).containsOnly(1L).hasSize(4);
    }

    @Test
    void rejectsNonsenseConfiguration() {
        assertThatThrownBy(() -> new HashingTokenizer(1, 256))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("vocab_size must be at least 2 but is 1");
        assertThatThrownBy(() -> new HashingTokenizer(16384, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("max_tokens must be at least 1 but is 0");
    }
}
