package dev.fusion.models.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In a fresh JVM with an empty temporary directory (DJL reads its settings once per class loader):
 * the native library comes out of the jar, offline, CPU flavour, nothing downloaded, into its own
 * directory that is gone once it is loaded; a user's own setting is kept.
 */
class DjlNativesTest {

    private static final String NATIVE =
            "tokenizers/0.21.0-0.38.0-cpu-linux-x86_64/libtokenizers.so";

    @TempDir
    Path tmp;

    @Test
    void extractsTheJarsLibraryToItsOwnDirectoryAndRemovesItOnceLoaded() throws Exception {
        Path base = tmp.resolve("fusion-djl-" + System.getProperty("user.name"));

        String out = probe(base, List.of());

        assertThat(out).contains("ids [2, 8, 15, 16, 3]");
        assertThat(out).contains("property ai.djl.offline=true", "property RUST_FLAVOR=cpu",
                "property OPT_OUT_TRACKING=true", "property ENGINE_CACHE_DIR=null");
        assertThat(out.lines().filter(l -> l.startsWith("mapped ")).toList()).singleElement()
                .asString().startsWith("mapped " + base.resolve("tokenizers-"))
                .endsWith("/" + NATIVE + " (deleted)");
        assertThat(out.lines().filter(l -> l.startsWith("file "))).isEmpty();
        assertThat(out).contains("Extracting native/lib/linux-x86_64/cpu/libtokenizers.so to cache")
                .doesNotContain("Downloading");
    }

    @Test
    void keepsTheUsersOwnCacheDirectoryAndFlavor() throws Exception {
        Path own = tmp.resolve("own");

        String out = probe(own, List.of("-DENGINE_CACHE_DIR=" + own, "-DRUST_FLAVOR=cpu"));

        assertThat(out).contains("property ENGINE_CACHE_DIR=" + own)
                .doesNotContain("DJL tokenizers: RUST_FLAVOR=", "extracting the native library")
                .contains("DJL tokenizers: ai.djl.offline=true");
        assertThat(out).contains("mapped " + own.resolve(NATIVE) + "\n");
        assertThat(out.lines().filter(l -> l.startsWith("file ")).toList())
                .containsExactly("file " + NATIVE);
    }

    private String probe(Path cache, List<String> properties)
            throws IOException, InterruptedException {
        // DJL logs extraction and downloads at INFO, below the tests' usual level.
        Path logConfig = Files.writeString(tmp.resolve("log4j2-probe.properties"), String.join(
                "\n", "appender.console.type = Console", "appender.console.name = console",
                "appender.console.layout.type = PatternLayout",
                "appender.console.layout.pattern = %-5p %c{1} - %m%n", "rootLogger.level = info",
                "rootLogger.appenderRef.console.ref = console"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + tmp, "-Dlog4j2.configurationFile=" + logConfig));
        command.addAll(properties);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                DjlNativesProbe.class.getName(), cache.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        List.of(DjlNatives.OFFLINE_ENV, DjlNatives.FLAVOR, DjlNatives.TRACKING,
                DjlNatives.CACHE_DIR, DjlNatives.DJL_CACHE_DIR).forEach(env::remove);
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(out).isZero();
        return out;
    }
}
