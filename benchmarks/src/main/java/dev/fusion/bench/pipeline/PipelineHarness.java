package dev.fusion.bench.pipeline;

import dev.fusion.jobs.kafka.TopicAdmin;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the job in child JVMs against the harness's broker: bounded runs over a prefix of the
 * preloaded workload for throughput, and (with {@link LatencyRun}) open-loop runs for latency.
 */
public final class PipelineHarness {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineHarness.class);
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(15);

    private final String bootstrap;
    private final Path workDir;
    private final ChildJvm jvm;
    private final long warmupSamples;
    private final String device;
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private int runs;

    /**
     * @param warmupSamples samples of the workload each job JVM processes, in a run of its own,
     *     before the measured run (0: none)
     * @param profile record a JFR profile of every run
     * @param device the {@code inference.device} of every run ({@code cpu}, {@code cuda})
     */
    public PipelineHarness(String bootstrap, Path workDir, List<String> childJvmOptions,
            long warmupSamples, boolean profile, String device) throws IOException {
        this(bootstrap, workDir, childJvmOptions, warmupSamples, profile, device,
                System.getProperty("java.class.path"));
    }

    /**
     * The same with the job JVMs on {@code classPath}: another checkout's build, a baseline to
     * compare with. Its {@link PipelineChild} must take the same arguments and write the same
     * files as this one's.
     */
    public PipelineHarness(String bootstrap, Path workDir, List<String> childJvmOptions,
            long warmupSamples, boolean profile, String device, String classPath)
            throws IOException {
        this.bootstrap = bootstrap;
        this.warmupSamples = warmupSamples;
        this.device = device;
        this.workDir = Files.createDirectories(workDir);
        this.jvm = new ChildJvm(this.workDir, childJvmOptions, profile, classPath);
    }

    String bootstrap() {
        return bootstrap;
    }

    Path workDir() {
        return workDir;
    }

    ChildJvm jvm() {
        return jvm;
    }

    /** A fresh run id, used for its topics, consumer group, transactional ids and files. */
    String nextRunId(String label) {
        return String.format("r%02d-%s", ++runs, label);
    }

    /** Runs {@code spec} over the first {@code samples} samples of {@code workload}. */
    public ThroughputResult bounded(RunSpec spec, int trial, Workload workload, long samples)
            throws Exception {
        String id = nextRunId(spec.name() + "-t" + trial);
        Map<String, String> options = jobOptions(spec, id);
        createOutputTopics(id);
        List<String> args = new ArrayList<>(setArgs(options));
        args.addAll(warmupArgs(id, workload));
        args.addAll(List.of("--inference", spec.passThrough() ? "passthrough" : "models",
                "--stop", RunFiles.offsets(workload.stopOffsets(samples)),
                "--checkpoint-dir", checkpointDir(id).toString(),
                "--timeline", workDir.resolve(id + ".timeline.csv").toString(),
                "--summary", workDir.resolve(id + ".properties").toString()));
        long brokerCpuBefore = os.getProcessCpuTime();
        Process child = jvm.start(args, workDir.resolve(id + ".log"));
        if (!child.waitFor(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            child.destroyForcibly();
            throw new IllegalStateException(id + " did not finish within " + RUN_TIMEOUT + "; see "
                    + workDir.resolve(id + ".log"));
        }
        long brokerCpu = os.getProcessCpuTime() - brokerCpuBefore;
        deleteRecursively(checkpointDir(id));
        deleteRecursively(Path.of(checkpointDir(id) + "-warmup"));
        deleteTopics(warmupId(id));
        Properties summary = summary(id);
        OutputReader.Output out = OutputReader.read(bootstrap, id + ".fused", id + ".dlq", id
                + ".dropped");
        deleteTopics(id);
        Timeline timeline = Timeline.read(workDir.resolve(id + ".timeline.csv"));
        long[] emitted = out.emittedAt();
        Files.write(workDir.resolve(id + ".per-second.csv"), perSecond(emitted, timeline));
        // The JVM was warmed up by a run over other data; the first second of output can still
        // include tasks that start late, so it is left out.
        int from = 0;
        while (from < emitted.length / 2 && emitted[from] < emitted[0] + 1000) {
            from++;
        }
        long start = emitted[from];
        long end = emitted[emitted.length - 1];
        long counted = emitted.length - from;
        double cpu = timeline.cpuSeconds(start, end);
        long expected = spec.latestPolicy() ? 3 * samples : samples;
        double wall = (Long.parseLong(summary.getProperty("finished_ms"))
                - Long.parseLong(summary.getProperty("submitted_ms"))) / 1000.0;
        ThroughputResult r = new ThroughputResult(spec, trial, 3 * samples, out.fused(), expected,
                out.deadLetters(), out.dropped(), counted * 1000.0 / Math.max(1, end - start), wall,
                cpu * 1e6 / Math.max(1, counted), brokerCpu / 1e3 / Math.max(1, out.fused()),
                Long.parseLong(summary.getProperty("peak_heap_bytes")),
                Long.parseLong(summary.getProperty("vm_hwm_kb")), os.getSystemLoadAverage(),
                CheckpointLog.read(workDir.resolve(id + ".log")));
        if (!r.exact()) {
            LOG.warn("{}: {} fused (expected {}), {} dead letters, {} dropped", id, r.fused(),
                    r.expectedFused(), r.deadLetters(), r.dropped());
        }
        return r;
    }

    /** Per second of the run: fused records emitted and CPU cores the job used. */
    private static List<String> perSecond(long[] emitted, Timeline timeline) {
        List<String> lines = new ArrayList<>();
        lines.add("second,fused,job_cpu_cores");
        if (emitted.length == 0) {
            return lines;
        }
        long t0 = emitted[0] / 1000 * 1000;
        int i = 0;
        for (long t = t0; t <= emitted[emitted.length - 1]; t += 1000) {
            int n = 0;
            while (i < emitted.length && emitted[i] < t + 1000) {
                i++;
                n++;
            }
            lines.add((t - t0) / 1000 + "," + n + "," + String.format(java.util.Locale.ROOT, "%.2f",
                    timeline.cpuSeconds(t, t + 1000)));
        }
        return lines;
    }

    /** Child arguments of the warm-up run of run {@code id} over the start of {@code workload}. */
    List<String> warmupArgs(String id, Workload workload) throws InterruptedException {
        if (warmupSamples == 0) {
            return List.of("--workload", workload.prefix());
        }
        createOutputTopics(warmupId(id));
        return List.of("--workload", workload.prefix(), "--warmup-id", warmupId(id),
                "--warmup-stop",
                        RunFiles.offsets(workload.stopOffsets(workload.wholeWindows(warmupSamples))));
    }

    static String warmupId(String id) {
        return id + "-warmup";
    }

    /** Where run {@code id} keeps its checkpoints (removed after the run). */
    Path checkpointDir(String id) {
        return workDir.resolve(id + "-checkpoints").toAbsolutePath();
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The job options of a run of {@code spec} with its own topics and ids. */
    Map<String, String> jobOptions(RunSpec spec, String id) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("kafka.bootstrap-servers", bootstrap);
        o.put("kafka.topics.fused", id + ".fused");
        o.put("kafka.topics.dlq", id + ".dlq");
        o.put("kafka.topics.dropped", id + ".dropped");
        o.put("kafka.group-id", "bench-" + id);
        o.put("kafka.transactional-id-prefix", "bench-" + id);
        o.put("job.name", "bench-" + id);
        o.put("job.parallelism", String.valueOf(spec.parallelism()));
        o.put("inference.batch-size", String.valueOf(spec.batchSize()));
        o.put("inference.device", device);
        o.put("align.policy", spec.latestPolicy() ? "latest" : "window");
        if (spec.modelsDir() != null) {
            o.put("models.dir", spec.modelsDir());
        }
        o.putAll(spec.options());
        return o;
    }

    static List<String> setArgs(Map<String, String> options) {
        List<String> args = new ArrayList<>();
        options.forEach((k, v) -> {
            args.add("--set");
            args.add(k + "=" + v);
        });
        return args;
    }

    Properties summary(String id) throws IOException {
        return RunFiles.summary(workDir, id);
    }

    void createOutputTopics(String id) throws InterruptedException {
        Map<String, Integer> topics = new LinkedHashMap<>();
        topics.put(id + ".fused", 2);
        topics.put(id + ".dlq", 1);
        topics.put(id + ".dropped", 1);
        try (TopicAdmin admin = new TopicAdmin(bootstrap)) {
            admin.createTopics(topics, Duration.ofSeconds(30));
        }
    }

    /** Deletes every topic of run {@code id}, so that a long session does not fill the disk. */
    void deleteTopics(String id) {
        RunFiles.deleteTopics(bootstrap, id);
    }
}
