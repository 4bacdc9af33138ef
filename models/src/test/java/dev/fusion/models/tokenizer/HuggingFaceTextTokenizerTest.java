package dev.fusion.models.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusion.models.manifest.ModelValidationException;
import dev.fusion.models.manifest.TokenizerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link HuggingFaceTextTokenizer#open} checks, thread-safety and closing. */
class HuggingFaceTextTokenizerTest {

    private static final String LABEL = "model 'text-routing'";

    @TempDir
    Path dir;

    @Test
    void reportsItsVocabularyAndMaxTokens() {
        try (TextTokenizer tokenizer = TextTokenizer.open(
                HfFixtures.config(HfFixtures.wordPiece(), HfFixtures.WORDPIECE_VOCAB, 16), LABEL)) {
            assertThat(tokenizer).isInstanceOf(HuggingFaceTextTokenizer.class);
            assertThat(tokenizer.vocabSize()).isEqualTo(34);
            assertThat(tokenizer.maxTokens()).isEqualTo(16);
        }
    }

    @Test
    void declaredVocabSizeMustEqualTheFiles() {
        assertThatThrownBy(() -> HuggingFaceTextTokenizer.open(
                HfFixtures.config(HfFixtures.wordPiece(), 30000, 16), LABEL))
                .isInstanceOf(ModelValidationException.class)
                .hasMessage("model 'text-routing': tokenizer vocab_size is 30000 but tokenizer.json"
                        + " holds ids 0 to 33 (vocab_size 34)");
    }

    @Test
    void fileChangedAfterTheManifestWasWritten() throws IOException {
        Path file = copy(HfFixtures.wordPiece());
        TokenizerConfig config = HfFixtures.config(file, HfFixtures.WORDPIECE_VOCAB, 16);
        Files.writeString(file, Files.readString(file).replace("\"lazy\"", "\"lasy\""));

        assertThatThrownBy(() -> HuggingFaceTextTokenizer.open(config, LABEL))
                .isInstanceOf(ModelValidationException.class)
                .hasMessage("model 'text-routing': sha256 of tokenizer.json is "
                        + HfFixtures.sha256(file) + " but the manifest says " + config.sha256());
    }

    @Test
    void idZeroMustBeThePadToken() throws IOException {
        Path file = copy(HfFixtures.wordPiece());
        Files.writeString(file, Files.readString(file).replace("\"[PAD]\"", "\"[UNUSED]\""));

        assertThatThrownBy(() -> HuggingFaceTextTokenizer.open(
                HfFixtures.config(file, HfFixtures.WORDPIECE_VOCAB, 16), LABEL))
                .isInstanceOf(ModelValidationException.class)
                .hasMessage("model 'text-routing': tokenizer tokenizer.json: id 0 is '[UNUSED]',"
                        + " not a pad token; the text layer ignores id 0 as padding, so id 0 must"
                        + " be the pad token ([PAD] or <pad>)");
    }

    @Test
    void theFilesPaddingBlockNamesThePadTokenAndMustPadWithIdZero() throws IOException {
        Path file = copy(HfFixtures.wordPiece());
        String json = Files.readString(file).replace("\"[PAD]\"", "\"<blank>\"");
        Files.writeString(file, json.replace("\"padding\": null", "\"padding\": {\"strategy\":"
                + " \"BatchLongest\", \"direction\": \"Right\", \"pad_to_multiple_of\": null,"
                + " \"pad_id\": 0, \"pad_type_id\": 0, \"pad_token\": \"<blank>\"}"));
        try (TextTokenizer tokenizer = HuggingFaceTextTokenizer.open(
                HfFixtures.config(file, HfFixtures.WORDPIECE_VOCAB, 16), LABEL)) {
            // The file's padding is not applied: the text layer pads.
            assertThat(tokenizer.encode("the dog")).containsExactly(2, 8, 16, 3);
        }

        Files.writeString(file, Files.readString(file).replace("\"pad_id\": 0", "\"pad_id\": 4"));
        assertThatThrownBy(() -> HuggingFaceTextTokenizer.open(
                HfFixtures.config(file, HfFixtures.WORDPIECE_VOCAB, 16), LABEL))
                .isInstanceOf(ModelValidationException.class)
                .hasMessage("model 'text-routing': tokenizer tokenizer.json: padding.pad_id is 4"
                        + " but the contract pads with id 0");
    }

    @Test
    void unsupportedModelTypeNamesTheValidOnes() throws IOException {
        Path file = copy(HfFixtures.wordPiece());
        Files.writeString(file, Files.readString(file).replace("\"type\": \"WordPiece\",\n  \"unk",
                "\"type\": \"WordLevel\",\n  \"unk"));

        assertThatThrownBy(() -> HuggingFaceTextTokenizer.open(
                HfFixtures.config(file, HfFixtures.WORDPIECE_VOCAB, 16), LABEL))
                .isInstanceOf(ModelValidationException.class)
                .hasMessage("model 'text-routing': tokenizer tokenizer.json: model type 'WordLevel'"
                        + " is not supported; valid values: WordPiece, BPE");
    }

    @Test
    void notATokenizerFile() throws IOException {
        Path file = Files.writeString(dir.resolve("tokenizer.json"), "{\"vocab\": {}}");

        assertThatThrownBy(() -> HuggingFaceTextTokenizer.open(
                HfFixtures.config(file, HfFixtures.WORDPIECE_VOCAB, 16), LABEL))
                .isInstanceOf(ModelValidationException.class)
                .hasMessage("model 'text-routing': tokenizer tokenizer.json has no 'model' object;"
                        + " is it a HuggingFace tokenizer.json?");
    }

    @Test
    void maxTokensMustLeaveRoomBesideTheSpecialTokens() {
        assertThatThrownBy(() -> HuggingFaceTextTokenizer.open(
                HfFixtures.config(HfFixtures.wordPiece(), HfFixtures.WORDPIECE_VOCAB, 2), LABEL))
                .isInstanceOf(ModelValidationException.class)
                .hasMessage("model 'text-routing': tokenizer tokenizer.json: max_tokens 2 leaves no"
                        + " room for text beside the 2 special tokens its post-processor adds");
    }

    @Test
    void encodeAfterCloseFailsInsteadOfTouchingFreedMemory() {
        TextTokenizer tokenizer = TextTokenizer.open(
                HfFixtures.config(HfFixtures.wordPiece(), HfFixtures.WORDPIECE_VOCAB, 16), LABEL);
        tokenizer.close();
        tokenizer.close();

        assertThatThrownBy(() -> tokenizer.encode("the dog"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("model 'text-routing': the tokenizer is closed");
    }

    @Test
    void oneTokenizerSharedByFourThreadsGivesEachTheSameIds() throws Exception {
        List<String> texts = List.of("The quick brown fox jumps over the lazy dog.",
                "Grüße aus München!", "你好世界", "I love 🍕 and 🚀", "");
        try (TextTokenizer tokenizer = TextTokenizer.open(
                HfFixtures.config(HfFixtures.wordPiece(), HfFixtures.WORDPIECE_VOCAB, 16), LABEL)) {
            List<long[]> expected = texts.stream().map(tokenizer::encode).toList();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Callable<Boolean>> tasks = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    tasks.add(() -> {
                        for (int round = 0; round < 500; round++) {
                            int i = round % texts.size();
                            if (!java.util.Arrays.equals(tokenizer.encode(texts.get(i)),
                                    expected.get(i))) {
                                return false;
                            }
                        }
                        return true;
                    });
                }
                for (Future<Boolean> result : pool.invokeAll(tasks)) {
                    assertThat(result.get()).isTrue();
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private Path copy(Path fixture) throws IOException {
        return Files.copy(fixture, dir.resolve("tokenizer.json"));
    }
}
