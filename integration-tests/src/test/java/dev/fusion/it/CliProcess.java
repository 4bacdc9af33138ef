package dev.fusion.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A {@code ./fusion} command run as a user runs it: its own JVM, the launcher's main class, the
 * output in a file, killed with SIGKILL or stopped with SIGTERM like a real process.
 *
 * <p>The class path goes through an argument file: ONNX Runtime 1.29 crashes at start on command
 * lines longer than about 4 KB.
 */
final class CliProcess implements AutoCloseable {

    private final Process process;
    private final Path output;

    private CliProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** Starts {@code fusion <args>} with the test's class path; its output goes to {@code output}. */
    static CliProcess start(Path output, List<String> args) throws IOException {
        Path argfile = Files.createTempFile("fusion-cli-", ".args");
        argfile.toFile().deleteOnExit();
        Files.writeString(argfile, "-cp\n" + System.getProperty("java.class.path") + "\n",
                StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-XX:MaxDirectMemorySize=512m",
                "-Dlog4j2.configurationFile=" + Path.of("..", "config", "log4j2-cli.properties")
                        .toAbsolutePath().normalize(),
                "@" + argfile, "dev.fusion.jobs.cli.FusionCli"));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        builder.environment().put("ORT_DISABLE_TELEMETRY", "1");
        return new CliProcess(builder.start(), output);
    }

    /** Everything the process printed so far. */
    String output() throws IOException {
        return Files.exists(output) ? Files.readString(output, StandardCharsets.UTF_8) : "";
    }

    /** Waits until the output has a line matching {@code regex}; fails if the process exits first. */
    String awaitLine(String regex, Duration timeout) throws Exception {
        Pattern pattern = Pattern.compile(regex);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : output().split("\n")) {
                if (pattern.matcher(line).find()) {
                    return line;
                }
            }
            if (!process.isAlive()) {
                throw new AssertionError("the process exited (" + process.exitValue() + ") before"
                        + " printing a line matching '" + regex + "':\n" + output());
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no line matching '" + regex + "' within " + timeout + ":\n" + output());
    }

    /** Waits for the process to exit by itself and returns its exit code; fails after a timeout. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the process did not exit within " + timeout);
        }
        return process.exitValue();
    }

    /** SIGKILL, as {@code kill -9}: no shutdown hook runs. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, as Ctrl-C or {@code kill}: returns the exit code. */
    int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the process did not exit within " + timeout + " of SIGTERM");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
