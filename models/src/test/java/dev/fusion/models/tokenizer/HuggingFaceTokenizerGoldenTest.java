package dev.fusion.models.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Golden ids of the fixture vocabularies, worked out by hand from make_fixtures.py's id order
 * (not by the code under test): WordPiece with BERT's uncased normalizer and [CLS]/[SEP], and a
 * byte-level BPE whose byte symbols have id 3 + byte value and that adds no special tokens.
 */
class HuggingFaceTokenizerGoldenTest {

    private static HuggingFaceTextTokenizer wordPiece;
    private static HuggingFaceTextTokenizer bpe;

    @BeforeAll
    static void open() {
        wordPiece = HuggingFaceTextTokenizer.open(
                HfFixtures.config(HfFixtures.wordPiece(), HfFixtures.WORDPIECE_VOCAB, 32), "m");
        bpe = HuggingFaceTextTokenizer.open(
                HfFixtures.config(HfFixtures.byteLevelBpe(), HfFixtures.BPE_VOCAB, 32), "m");
    }

    @AfterAll
    static void close() {
        wordPiece.close();
        bpe.close();
    }

    @Test
    void wordPieceEnglishWithSubwordsAndPunctuation() {
        // [CLS] the quick brown fox jump ##s over the lazy dog . [SEP]
        assertThat(wordPiece.encode("The quick brown fox jumps over the lazy dog."))
                .containsExactly(2, 8, 9, 10, 11, 12, 13, 14, 8, 15, 16, 7, 3);
    }

    @Test
    void wordPieceGermanUmlautsLoseTheirAccentsButNotSharpS() {
        // gru ##ße aus mun ##chen !
        assertThat(wordPiece.encode("Grüße aus München!"))
                .containsExactly(2, 17, 18, 19, 20, 21, 5, 3);
    }

    @Test
    void wordPieceComposedAndDecomposedAccentsGiveTheSameIds() {
        // cafe na ##ive
        assertThat(wordPiece.encode("Café naïve")).containsExactly(2, 22, 23, 24, 3);
        assertThat(wordPiece.encode("Cafe\u0301 nai\u0308ve")).containsExactly(2, 22, 23, 24, 3);
    }

    @Test
    void wordPieceSplitsChineseCharactersAndMarksUnknownOnes() {
        // 你 好 世 [UNK]: 界 is not in the vocabulary
        assertThat(wordPiece.encode("你好世界")).containsExactly(2, 25, 26, 27, 1, 3);
    }

    @Test
    void wordPieceEmojiKnownAndUnknown() {
        // i love 🍕 and [UNK]
        assertThat(wordPiece.encode("I love 🍕 and 🚀")).containsExactly(2, 28, 29, 30, 31, 1, 3);
    }

    @Test
    void wordPieceUnknownWordIsOneUnkToken() {
        // [UNK] play ##ing: no piece covers "xylophone", so the whole word is [UNK]
        assertThat(wordPiece.encode("xylophone playing")).containsExactly(2, 1, 32, 33, 3);
    }

    @Test
    void wordPieceEmptyTextIsOnlyTheSpecialTokens() {
        assertThat(wordPiece.encode("")).containsExactly(2, 3);
        assertThat(wordPiece.encode("  \t ")).containsExactly(2, 3);
    }

    @Test
    void wordPieceLongTextIsTruncatedToMaxTokensKeepingTheSpecialTokens() {
        try (HuggingFaceTextTokenizer eight = HuggingFaceTextTokenizer.open(
                HfFixtures.config(HfFixtures.wordPiece(), HfFixtures.WORDPIECE_VOCAB, 8), "m")) {
            assertThat(eight.encode("the ".repeat(10)))
                    .containsExactly(2, 8, 8, 8, 8, 8, 8, 3);
        }
    }

    @Test
    void bpeEnglishMergesWholeWords() {
        // hello Ġworld
        assertThat(bpe.encode("hello world")).containsExactly(262, 267);
    }

    @Test
    void bpeGermanMergesUmlautBytesAndKeepsSharpSAsTwoBytes() {
        // G r ü(C3 BC merged) C3 9F e
        assertThat(bpe.encode("Grüße")).containsExactly(74, 117, 268, 198, 162, 104);
    }

    @Test
    void bpeComposedAndDecomposedAccentsGiveTheSameIdsAfterNfc() {
        // c a f C3 A9
        assertThat(bpe.encode("café")).containsExactly(102, 100, 105, 198, 172);
        assertThat(bpe.encode("cafe\u0301")).containsExactly(102, 100, 105, 198, 172);
    }

    @Test
    void bpeChineseAndEmojiAreTheirUtf8Bytes() {
        // E4 BD A0 E5 A5 BD
        assertThat(bpe.encode("你好")).containsExactly(231, 192, 163, 232, 168, 192);
        // hello Ġ F0 9F 8D 95
        assertThat(bpe.encode("hello 🍕")).containsExactly(262, 35, 243, 162, 144, 152);
    }

    @Test
    void bpeEmptyTextHasNoIdsAsItsPostProcessorAddsNone() {
        assertThat(bpe.encode("")).isEmpty();
    }

    @Test
    void bpeLongTextIsTruncatedToMaxTokens() {
        try (HuggingFaceTextTokenizer four = HuggingFaceTextTokenizer.open(
                HfFixtures.config(HfFixtures.byteLevelBpe(), HfFixtures.BPE_VOCAB, 4), "m")) {
            // hello Ġ hello Ġ (Ġhello is not a merge)
            assertThat(four.encode("hello hello hello hello hello"))
                    .containsExactly(262, 35, 262, 35);
        }
    }
}
