package dev.fusion.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code chromium}, headless, as a page's user sees it: the DOM after its scripts ran,
 * and a screenshot. {@code .ci/run} installs the package; without it the test fails saying so.
 */
final class HeadlessChromium {

    private static final long TIMEOUT_SECONDS = 60;

    private HeadlessChromium() {
    }

    /** The page's DOM after up to {@code scriptMillis} of its scripts' (virtual) time. */
    static String dumpDom(String url, int scriptMillis) throws Exception {
        return run(List.of("--virtual-time-budget=" + scriptMillis, "--dump-dom", url));
    }

    /** Writes a PNG of the page at {@code width} x {@code height} pixels to {@code png}. */
    static void screenshot(String url, int scriptMillis, Path png, int width, int height)
            throws Exception {
        run(List.of("--virtual-time-budget=" + scriptMillis, "--hide-scrollbars",
                "--window-size=" + width + "," + height,
                "--screenshot=" + png.toAbsolutePath(), url));
    }

    private static String run(List<String> args) throws Exception {
        Path binary = binary();
        Path profile = Files.createTempDirectory("fusion-chromium-");
        Path output = Files.createTempFile("fusion-chromium-", ".out");
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless",
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--user-data-dir=" + profile));
        command.addAll(args);
        Process process = new ProcessBuilder(command)
                .redirectOutput(output.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("chromium did not finish in " + TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("chromium exited with " + process.exitValue());
            }
            return Files.readString(output, StandardCharsets.UTF_8);
        } finally {
            process.destroyForcibly().waitFor();
            Files.deleteIfExists(output);
            deleteTree(profile);
        }
    }

    private static Path binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir, "chromium");
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("the live page test needs Debian's chromium: apt-get install"
                + " chromium (.ci/run installs it)");
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
