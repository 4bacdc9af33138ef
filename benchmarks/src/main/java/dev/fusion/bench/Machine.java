package dev.fusion.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** One line saying which machine the figures come from. */
final class Machine {

    private Machine() {
    }

    static String describe() {
        String cpu = procField("/proc/cpuinfo", "model name").orElse(System.getProperty("os.arch"));
        long memKb = procField("/proc/meminfo", "MemTotal").map(v -> Long.parseLong(v.replace("kB",
                "").trim())).orElse(-1L);
        return String.format(Locale.ROOT,
                "%s, %d cores visible to the JVM, %.0f GB RAM, %s %s, %s %s,"
                        + " ONNX Runtime %s (CPU)",
                cpu, Runtime.getRuntime().availableProcessors(), memKb / 1024.0 / 1024.0,
                System.getProperty("os.name"), System.getProperty("os.version"),
                        System.getProperty("java.vm.name"),
                System.getProperty("java.version"), ai.onnxruntime.OrtEnvironment.class.getPackage()
                        .getImplementationVersion());
    }

    private static java.util.Optional<String> procField(String file, String field) {
        try {
            for (String line : Files.readAllLines(Path.of(file))) {
                if (line.startsWith(field)) {
                    return java.util.Optional.of(line.substring(line.indexOf(':') + 1).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.empty();
    }
}
