package dev.fusion.models.tokenizer;

import dev.fusion.models.manifest.ModelSource;
import dev.fusion.models.manifest.TokenizerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The tokenizer.json fixtures of {@code src/test/resources/hf} (made by make_fixtures.py). */
public final class HfFixtures {

    /** Ids 0 to 33: [PAD] [UNK] [CLS] [SEP] [MASK], then 29 words and pieces. */
    public static final int WORDPIECE_VOCAB = 34;
    /** Ids 0 to 268: 3 specials, 256 byte symbols, 10 merges. */
    public static final int BPE_VOCAB = 269;

    private HfFixtures() {
    }

    /** A fixture file on disk, e.g. {@code wordpiece/tokenizer.json}. */
    public static Path path(String relative) {
        try {
            return Path.of(HfFixtures.class.getResource("/hf/" + relative).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path wordPiece() {
        return path("wordpiece/tokenizer.json");
    }

    public static Path byteLevelBpe() {
        return path("bytelevel-bpe/tokenizer.json");
    }

    /** A huggingface block for {@code file} with its real sha256. */
    public static TokenizerConfig config(Path file, int vocabSize, int maxTokens) {
        return TokenizerConfig.huggingFace(file.getFileName().toString(), sha256(file), vocabSize,
                maxTokens, new ModelSource.FileSource(file));
    }

    public static String sha256(Path file) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
