package dev.fusion.jobs.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One node of an {@link EmbeddedKafkaCluster}: its fixed ports and directory, and the JVM that
 * runs it now.
 */
final class KafkaNodeProcess {

    /**
     * Several nodes share the machine with the test: a heap enough for test traffic, and only
     * the quick JIT compiler, which leaves more CPU to the rest.
     */
    private static final List<String> NODE_JVM_OPTIONS =
            List.of("-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    final int id;
    final int clientPort;
    final int controllerPort;
    final Path dir;
    private List<String> command;
    private Process process;

    KafkaNodeProcess(int id, int clientPort, int controllerPort, Path dir) {
        this.id = id;
        this.clientPort = clientPort;
        this.controllerPort = controllerPort;
        this.dir = dir;
    }

    Path dataDir() {
        return dir.resolve("data");
    }

    Path log() {
        return dir.resolve("node.log");
    }

    void configure(Map<String, String> properties, Path log4j) throws IOException {
        Files.createDirectories(dataDir());
        Path serverProperties = dir.resolve("server.properties");
        StringBuilder text = new StringBuilder();
        properties.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.writeString(serverProperties, text, StandardCharsets.UTF_8);
        // The class path goes through an argument file: a test's is far longer than a
        // command line should be.
        Path argfile = dir.resolve("java.args");
        Files.writeString(argfile, "-cp\n\"" + System.getProperty("java.class.path")
                .replace("\\", "\\\\") + "\"\n", StandardCharsets.UTF_8);
        command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(NODE_JVM_OPTIONS);
        command.add("-Dlog4j2.configurationFile=" + log4j);
        command.add("@" + argfile);
        command.add(EmbeddedKafkaNode.class.getName());
        command.add(serverProperties.toString());
    }

    synchronized void launch() throws IOException {
        // Standard input stays a pipe held open by this JVM: the node halts when it closes.
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()))
                .start();
    }

    synchronized long pid() {
        return process.pid();
    }

    synchronized int exitValue() {
        return process.exitValue();
    }

    synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    synchronized void kill() throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("Kafka node " + id + " (pid " + process.pid()
                    + ") survived SIGKILL for 30 s");
        }
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log(), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40),
                    lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
