package dev.fusion.models.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

/**
 * Run in a fresh JVM by {@link DjlNativesTest}: loads the WordPiece fixture the way the job does
 * and prints the DJL properties in force, the ids of one text, the file the native library was
 * mapped from (Linux's /proc/self/maps) and every file left under the cache directory.
 */
public final class DjlNativesProbe {

    private DjlNativesProbe() {
    }

    /** The WordPiece fixture's ids of "the lazy dog", as text. */
    public static String idsOfTheLazyDog() {
        try (HuggingFaceTextTokenizer tokenizer = HuggingFaceTextTokenizer.open(HfFixtures.config(
                HfFixtures.wordPiece(), HfFixtures.WORDPIECE_VOCAB, 16), "model 'probe'")) {
            return Arrays.toString(tokenizer.encode("the lazy dog"));
        }
    }

    public static void main(String[] args) throws IOException {
        System.out.println("ids " + idsOfTheLazyDog());
        for (String property : new String[] {DjlNatives.OFFLINE, DjlNatives.FLAVOR,
                DjlNatives.TRACKING, DjlNatives.CACHE_DIR}) {
            System.out.println("property " + property + "=" + System.getProperty(property));
        }
        try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
            maps.filter(l -> l.contains("libtokenizers")).map(l -> l.substring(l.indexOf('/')))
                    .distinct().forEach(l -> System.out.println("mapped " + l));
        }
        Path cache = Path.of(args[0]);
        try (Stream<Path> files = Files.walk(cache)) {
            files.filter(Files::isRegularFile).sorted()
                    .forEach(f -> System.out.println("file " + cache.relativize(f)));
        }
    }
}
