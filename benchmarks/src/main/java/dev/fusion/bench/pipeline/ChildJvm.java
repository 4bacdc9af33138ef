package dev.fusion.bench.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts {@link PipelineChild} (or another main class of the bench) in a JVM of its own with this
 * JVM's class path, or another checkout's (a baseline), through an argument file (ONNX Runtime
 * 1.29 crashes on long command lines), and the launcher's options.
 */
public final class ChildJvm {

    /** The job JVMs' logging configuration, on the class path: see {@link CheckpointLog}. */
    static final String CHILD_LOG_CONFIG = "log4j2-bench-child.properties";

    private final Path argFile;
    private final List<String> jvmOptions;
    private final boolean profile;

    /**
     * @param profile record a JFR profile of every child, beside its log ({@code ID.jfr})
     */
    public ChildJvm(Path workDir, List<String> jvmOptions, boolean profile) throws IOException {
        this(workDir, jvmOptions, profile, System.getProperty("java.class.path"));
    }

    /** The same with the class path {@code classPath} (another checkout's build). */
    ChildJvm(Path workDir, List<String> jvmOptions, boolean profile, String classPath)
            throws IOException {
        this.argFile = workDir.resolve("child-java.args");
        Files.writeString(argFile, "-cp\n" + classPath + "\n");
        this.jvmOptions = List.copyOf(jvmOptions);
        this.profile = profile;
    }

    /** Starts a {@link PipelineChild} with {@code args}; its output goes to {@code log} (ID.log). */
    Process start(List<String> args, Path log) throws IOException {
        return start(PipelineChild.class, args, log);
    }

    /** Starts {@code main} with {@code args}; its output goes to {@code log} (ID.log). */
    public Process start(Class<?> main, List<String> args, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        if (profile) {
            String jfr = log.toString().replaceAll("\\.log$", ".jfr");
            // Flink's stacks are deep: the default depth of 64 frames cuts off the operators.
            command.add("-XX:FlightRecorderOptions=stackdepth=256");
            command.add("-XX:StartFlightRecording=filename=" + jfr
                    + ",settings=profile,dumponexit=true");
        }
        // A class-path resource: the job's warnings plus a line per completed checkpoint.
        command.add("-Dlog4j2.configurationFile=" + CHILD_LOG_CONFIG);
        command.add("@" + argFile);
        command.add(main.getName());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("ORT_DISABLE_TELEMETRY", "1");
        return builder.start();
    }
}
