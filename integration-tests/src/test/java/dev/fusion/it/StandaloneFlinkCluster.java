package dev.fusion.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A standalone Flink session cluster made of separate JVMs, as a Flink distribution runs it: the
 * JobManager ({@code StandaloneSessionClusterEntrypoint}) and each TaskManager
 * ({@code TaskManagerRunner}) a child process on the class path {@code lib/*}, with the JVM memory
 * flags and dynamic settings that {@code bin/jobmanager.sh} and {@code bin/taskmanager.sh} compute,
 * and Flink's own CLI ({@code CliFrontend}, what {@code bin/flink} runs) with
 * {@code FLINK_CONF_DIR} set.
 *
 * <p>{@code lib/} is what the build copied to {@code target/flink-cluster/lib} (integration-tests'
 * POM lists the jars): flink-dist is not on Maven Central. Every log goes to a file under the
 * cluster's directory; {@link #close()} kills every process it started, and a shutdown hook does
 * so if the test JVM ends first.
 */
final class StandaloneFlinkCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StandaloneFlinkCluster.class);
    private static final Path LIB = Path.of("target", "flink-cluster", "lib").toAbsolutePath();
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
    /** Attempts to start the JobManager on ports picked here. */
    private static final int PORT_ATTEMPTS = 3;
    private static final Pattern SUBMITTED =
            Pattern.compile("Job has been submitted with JobID ([0-9a-f]{32})");
    private static final Pattern SAVEPOINT = Pattern.compile("Savepoint completed\\. Path: (\\S+)");
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * What a Flink distribution's conf/config.yaml sets as {@code env.java.opts.all} for Java 17
     * (less the jdk.compiler exports, which a JRE lacks): without it the CLI fails to build any
     * DataStream job ("module java.base does not opens java.util").
     */
    static final String JAVA_17_OPTS = String.join(" ",
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private final Path dir;
    private final Path conf;
    private final int restPort;
    private final List<Process> processes = new ArrayList<>();
    private final Map<String, Process> taskManagers = new LinkedHashMap<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Thread killOnExit = new Thread(this::destroyAll, "kill-flink-cluster");
    /** JVM flags and dynamic settings of a TaskManager, as bin/taskmanager.sh computes them. */
    private final List<String> taskManagerJvm;
    private final List<String> taskManagerDynamic;
    /** {@code env.java.opts.all}: given to every JVM, as Flink's scripts do. */
    private final List<String> javaOpts;
    private Process jobManager;
    private int cliRuns;

    private StandaloneFlinkCluster(Path dir, Map<String, String> settings) throws IOException {
        this.dir = dir;
        this.conf = Files.createDirectories(dir.resolve("conf"));
        Files.createDirectories(dir.resolve("log"));
        this.restPort = Integer.parseInt(settings.get("rest.port"));
        Files.writeString(conf.resolve("config.yaml"), settings.entrySet().stream()
                .map(e -> e.getKey() + ": " + e.getValue())
                .collect(Collectors.joining("\n", "", "\n")), StandardCharsets.UTF_8);
        Files.writeString(conf.resolve("log4j.properties"), String.join("\n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = File",
                "appender.file.type = File",
                "appender.file.name = File",
                "appender.file.fileName = ${sys:log.file}",
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = %d{HH:mm:ss.SSS} %-5p %c{1} [%t] - %m%n",
                "logger.kafka.name = org.apache.kafka",
                "logger.kafka.level = WARN", ""), StandardCharsets.UTF_8);
        // What bin/flink uses: the user sees warnings, and the job's own start-up lines.
        Files.writeString(conf.resolve("log4j-cli.properties"), String.join("\n",
                "rootLogger.level = WARN",
                "rootLogger.appenderRef.console.ref = Console",
                "appender.console.type = Console",
                "appender.console.name = Console",
                "appender.console.layout.type = PatternLayout",
                "appender.console.layout.pattern = %d{HH:mm:ss.SSS} %-5p %c{1} - %m%n",
                "logger.fusion.name = dev.fusion",
                "logger.fusion.level = INFO",
                "logger.kafka.name = org.apache.kafka",
                "logger.kafka.level = ERROR", ""), StandardCharsets.UTF_8);
        this.javaOpts = split(settings.getOrDefault("env.java.opts.all", ""));
        Configuration flink = Configuration.fromMap(settings);
        TaskExecutorProcessSpec tm = TaskExecutorProcessUtils.processSpecFromConfig(flink);
        this.taskManagerJvm = split(ProcessMemoryUtils.generateJvmParametersStr(tm));
        this.taskManagerDynamic = split(TaskExecutorProcessUtils.generateDynamicConfigsStr(tm));
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /**
     * Writes {@code settings} (Flink keys; the addresses, {@code rest.port} and
     * {@code jobmanager.rpc.port} are added) as {@code dir/conf/config.yaml} and starts the
     * JobManager and {@code taskManagers} TaskManagers; returns once the REST API lists them all.
     * A JobManager that exits before its REST API answers (another process took a port picked
     * here) is started again on other ports.
     */
    static StandaloneFlinkCluster start(Path dir, Map<String, String> settings, int taskManagers)
            throws Exception {
        for (int attempt = 1; ; attempt++) {
            Map<String, String> all = new LinkedHashMap<>();
            all.put("jobmanager.rpc.address", "localhost");
            all.put("jobmanager.bind-host", "localhost");
            all.put("jobmanager.rpc.port", String.valueOf(freePort()));
            all.put("rest.address", "localhost");
            all.put("rest.bind-address", "localhost");
            all.put("rest.port", String.valueOf(freePort()));
            all.put("taskmanager.host", "localhost");
            all.put("taskmanager.bind-host", "localhost");
            all.put("env.java.opts.all", JAVA_17_OPTS);
            all.putAll(settings);
            StandaloneFlinkCluster cluster = new StandaloneFlinkCluster(dir, all);
            try {
                cluster.startJobManager(Configuration.fromMap(all));
                if (!cluster.awaitRestApi()) {
                    cluster.close();
                    if (attempt < PORT_ATTEMPTS) {
                        LOG.warn("the JobManager exited at start (attempt {}); trying other ports",
                                attempt);
                        continue;
                    }
                    throw new AssertionError("the JobManager exited at start " + attempt
                            + " times");
                }
                for (int i = 0; i < taskManagers; i++) {
                    cluster.startTaskManager();
                }
                cluster.awaitTaskManagers(taskManagers);
                return cluster;
            } catch (Exception | AssertionError e) {
                cluster.printLogs();
                cluster.close();
                throw e;
            }
        }
    }

    /** Waits until the REST API answers; false if the JobManager exits first. */
    private boolean awaitRestApi() throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (jobManager.isAlive()) {
            try {
                rest("/overview");
                return true;
            } catch (IOException e) {
                // Not listening yet.
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the JobManager's REST API did not answer within "
                        + START_TIMEOUT);
            }
            Thread.sleep(200);
        }
        return false;
    }

    private void startJobManager(Configuration flink) throws IOException {
        JobManagerProcessSpec jm = JobManagerProcessUtils.processSpecFromConfig(flink);
        List<String> args =
                new ArrayList<>(split(JobManagerProcessUtils.generateJvmParametersStr(jm, flink)));
        args.add("org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
        args.add("--configDir");
        args.add(conf.toString());
        args.addAll(split(JobManagerProcessUtils.generateDynamicConfigsStr(jm)));
        jobManager = startJvm("jobmanager", args);
    }

    /** Starts one more TaskManager JVM; returns its name (its log is {@code log/NAME.log}). */
    String startTaskManager() throws IOException {
        String name = "taskmanager-" + (taskManagers.size() + 1);
        List<String> args = new ArrayList<>(taskManagerJvm);
        args.add("org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
        args.add("--configDir");
        args.add(conf.toString());
        args.addAll(taskManagerDynamic);
        taskManagers.put(name, startJvm(name, args));
        return name;
    }

    /** The process id of a TaskManager this cluster started. */
    long pid(String taskManager) {
        return taskManagers.get(taskManager).pid();
    }

    /** SIGKILL to a TaskManager, as when its machine dies. */
    void kill(String taskManager) throws InterruptedException {
        Process p = taskManagers.get(taskManager);
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
    }

    /** Waits until the JobManager has {@code n} registered TaskManagers. */
    void awaitTaskManagers(int n) throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!jobManager.isAlive()) {
                throw new AssertionError("the JobManager exited (" + jobManager.exitValue() + ")");
            }
            try {
                if (rest("/overview").path("taskmanagers").asInt() == n) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the cluster did not have " + n + " TaskManagers within "
                        + START_TIMEOUT);
            }
            Thread.sleep(200);
        }
    }

    /** GET on the cluster's REST API. */
    JsonNode rest(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + restPort + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + ": HTTP " + response.statusCode() + " "
                    + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** A job's status as the JobManager reports it ({@code RUNNING}, {@code CANCELED}, ...). */
    String jobStatus(String jobId) throws IOException, InterruptedException {
        return rest("/jobs/" + jobId).path("state").asText();
    }

    /** The output of one {@code flink} command: its exit code and everything it printed. */
    record CliResult(int exitCode, String output) {

        /** The job id of {@code flink run -d}'s "Job has been submitted with JobID ...". */
        String jobId() {
            return find(SUBMITTED, "a submitted job id");
        }

        /** The path of {@code flink stop}'s "Savepoint completed. Path: ...". */
        String savepoint() {
            return find(SAVEPOINT, "a savepoint path");
        }

        private String find(Pattern pattern, String what) {
            Matcher m = pattern.matcher(output);
            if (exitCode != 0 || !m.find()) {
                throw new AssertionError("flink printed no " + what + " (exit code " + exitCode
                        + "):\n" + output);
            }
            return m.group(1);
        }
    }

    /**
     * Runs {@code flink ARGS} (Flink's {@code CliFrontend} in its own JVM, with this cluster's
     * {@code FLINK_CONF_DIR} and {@code lib/}) and returns when it exits.
     */
    CliResult flink(Duration timeout, String... cliArgs) throws IOException, InterruptedException {
        Path out = dir.resolve("log").resolve("flink-" + (++cliRuns) + "-" + cliArgs[0] + ".out");
        List<String> args = new ArrayList<>(List.of("-Xmx512m",
                "-Dlog4j.configurationFile=" + conf.resolve("log4j-cli.properties"),
                "org.apache.flink.client.cli.CliFrontend"));
        args.addAll(Arrays.asList(cliArgs));
        LOG.info("flink {}", String.join(" ", cliArgs));
        Process p = startJvm(out, args);
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            throw new AssertionError("flink " + String.join(" ", cliArgs) + " did not exit within "
                    + timeout + ":\n" + Files.readString(out, StandardCharsets.UTF_8));
        }
        return new CliResult(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    private Process startJvm(String name, List<String> args) throws IOException {
        Path log = dir.resolve("log").resolve(name + ".log");
        List<String> withLog = new ArrayList<>(List.of("-Dlog.file=" + log,
                "-Dlog4j.configurationFile=" + conf.resolve("log4j.properties")));
        withLog.addAll(args);
        return startJvm(dir.resolve("log").resolve(name + ".out"), withLog);
    }

    private Process startJvm(Path output, List<String> args) throws IOException {
        // The class path in an argument file, as the launcher does (PLATFORM.md: ONNX Runtime and
        // long command lines).
        Path argfile = dir.resolve("classpath.args");
        if (!Files.exists(argfile)) {
            Files.writeString(argfile, "-cp\n" + LIB + "/*\n", StandardCharsets.UTF_8);
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "@" + argfile));
        command.addAll(javaOpts);
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        builder.environment().put("FLINK_CONF_DIR", conf.toString());
        builder.environment().put("ORT_DISABLE_TELEMETRY", "1");
        Process p = builder.start();
        synchronized (processes) {
            processes.add(p);
        }
        return p;
    }

    /** Prints the last lines of every log of the cluster, for a failed test. */
    void printLogs() {
        try (Stream<Path> logs = Files.list(dir.resolve("log"))) {
            for (Path log : logs.sorted().toList()) {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                System.err.println("==== " + log + " (last 60 of " + lines.size() + " lines)");
                lines.subList(Math.max(0, lines.size() - 60), lines.size())
                        .forEach(System.err::println);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        destroyAll();
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
            // The JVM is shutting down; the hook runs anyway.
        }
    }

    private void destroyAll() {
        synchronized (processes) {
            for (Process p : processes) {
                p.destroyForcibly();
            }
            for (Process p : processes) {
                try {
                    p.waitFor(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static List<String> split(String s) {
        return Arrays.stream(s.trim().split("\\s+")).filter(a -> !a.isEmpty()).toList();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
