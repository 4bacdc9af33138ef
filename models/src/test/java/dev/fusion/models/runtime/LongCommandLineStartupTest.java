package dev.fusion.models.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Proves the pinned ONNX Runtime survives the start-up crash of shared/PLATFORM.md: 1.29.0 kills
 * the JVM at environment creation when the command line passes about 4 KB, unless
 * {@code ORT_DISABLE_TELEMETRY=1}. Flink TaskManagers have such command lines, so a child JVM with
 * a classpath padded past 8 KB and without that variable must start, infer and exit cleanly.
 */
class LongCommandLineStartupTest {

    private static final int MIN_COMMAND_LINE = 8 * 1024;

    @Test
    void childJvmWithALongCommandLineAndTelemetryOnRunsInference() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-Xmx256m", "-cp", paddedClasspath(),
                OrtStartupProbe.class.getName());
        assertThat(String.join(" ", command).length()).isGreaterThan(MIN_COMMAND_LINE);

        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("ORT_DISABLE_TELEMETRY");
        Process child = builder.start();
        String output = readAll(child);
        boolean exited = child.waitFor(120, TimeUnit.SECONDS);
        if (!exited) {
            child.destroyForcibly();
        }

        assertThat(exited).as("child exited in time; output:%n%s", output).isTrue();
        assertThat(child.exitValue()).as("exit code; output:%n%s", output).isZero();
        assertThat(output.lines()).as(output).contains(OrtStartupProbe.OK_LINE_PREFIX
                + " rows=1 dim=64 finite=true ORT_DISABLE_TELEMETRY=null");
    }

    /**
     * The real test classpath (surefire may hand this JVM a manifest-only jar instead), followed
     * by entries that do not exist: the JVM skips them, but they lengthen the command line.
     */
    private static String paddedClasspath() {
        String classpath = System.getProperty("surefire.test.class.path",
                System.getProperty("java.class.path"));
        StringBuilder padded = new StringBuilder(classpath);
        for (int i = 0; padded.length() < MIN_COMMAND_LINE + 1024; i++) {
            padded.append(File.pathSeparator).append("/nonexistent/classpath/padding/entry-")
                    .append(i).append(".jar");
        }
        return padded.toString();
    }

    private static String readAll(Process process) throws IOException {
        // Read to the end before waiting: a child blocked on a full pipe would never exit.
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
