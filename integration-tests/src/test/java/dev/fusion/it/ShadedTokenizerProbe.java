package dev.fusion.it;

import dev.fusion.models.manifest.ModelSource;
import dev.fusion.models.manifest.TokenizerConfig;
import dev.fusion.models.tokenizer.HuggingFaceTextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * Run by {@link ShadedJobJarITCase} in a JVM whose classpath is the job jar and slf4j-api (which
 * a Flink cluster provides): loads a tokenizer.json and prints its ids, where DJL came from and
 * the file its native library was mapped from.
 */
public final class ShadedTokenizerProbe {

    private ShadedTokenizerProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        String sha256 = HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        TokenizerConfig config = TokenizerConfig.huggingFace(file.getFileName().toString(), sha256,
                Integer.parseInt(args[1]), 16, new ModelSource.FileSource(file));
        try (HuggingFaceTextTokenizer tokenizer = HuggingFaceTextTokenizer.open(config, "probe")) {
            System.out.println("ids " + Arrays.toString(tokenizer.encode("the lazy dog")));
        }
        System.out.println("djl from " + Path.of(ai.djl.huggingface.tokenizers.HuggingFaceTokenizer
                .class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
            maps.filter(l -> l.contains("libtokenizers")).map(l -> l.substring(l.indexOf('/')))
                    .distinct().forEach(l -> System.out.println("mapped " + l));
        }
    }
}
