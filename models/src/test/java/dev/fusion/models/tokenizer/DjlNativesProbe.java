package dev.fusion.models.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

/**
 * Run in a fresh JVM by {@link DjlNativesTest}: loads the WordPiece fixture the way the job does
 * and prints the DJL properties in force, the ids of one text and every file under the cache.
 */
public final class DjlNativesProbe {

    private DjlNativesProbe() {
    }

    public static void main(String[] args) throws IOException {
        try (HuggingFaceTextTokenizer tokenizer = HuggingFaceTextTokenizer.open(HfFixtures.config(
                HfFixtures.wordPiece(), HfFixtures.WORDPIECE_VOCAB, 16), "model 'probe'")) {
            System.out.println("ids " + Arrays.toString(tokenizer.encode("the lazy dog")));
        }
        for (String property : new String[] {DjlNatives.OFFLINE, DjlNatives.FLAVOR,
                DjlNatives.TRACKING, DjlNatives.CACHE_DIR}) {
            System.out.println("property " + property + "=" + System.getProperty(property));
        }
        Path cache = Path.of(System.getProperty(DjlNatives.CACHE_DIR));
        try (Stream<Path> files = Files.walk(cache)) {
            files.filter(Files::isRegularFile).sorted()
                    .forEach(f -> System.out.println("file " + cache.relativize(f)));
        }
    }
}
