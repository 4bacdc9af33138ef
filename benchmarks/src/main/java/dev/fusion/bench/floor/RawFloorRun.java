package dev.fusion.bench.floor;

import dev.fusion.bench.pipeline.ChildJvm;
import dev.fusion.bench.pipeline.RunFiles;
import dev.fusion.bench.pipeline.Timeline;
import dev.fusion.bench.pipeline.Workload;
import dev.fusion.jobs.kafka.TopicAdmin;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the raw floor ({@link RawFloorChild}) in a child JVM against the harness's broker over a
 * prefix of the preloaded workload, then checks and measures what it committed: the cost of
 * Kafka in, decode, pass-through, encode and transactional Kafka out with no Flink around it.
 */
public final class RawFloorRun {

    private static final Logger LOG = LoggerFactory.getLogger(RawFloorRun.class);
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(15);

    private final String bootstrap;
    private final Path workDir;
    private final ChildJvm jvm;
    private final long warmupSamples;
    private final Duration commitInterval;
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private int runs;

    /**
     * @param childJvmOptions options of the floor JVM (as the pipeline runs': heap, GC)
     * @param warmupSamples samples of the workload the floor JVM copies, to a topic of its own,
     *     before the measured pass (0: none)
     * @param commitInterval how often each thread commits its transaction (the job's checkpoint
     *     interval as shipped)
     */
    public RawFloorRun(String bootstrap, Path workDir, List<String> childJvmOptions,
            long warmupSamples, Duration commitInterval) throws IOException {
        this.bootstrap = bootstrap;
        this.workDir = Files.createDirectories(workDir);
        this.jvm = new ChildJvm(this.workDir, childJvmOptions, false);
        this.warmupSamples = warmupSamples;
        this.commitInterval = commitInterval;
    }

    /** Copies the first {@code samples} samples of {@code workload}; checks and measures it. */
    public FloorResult run(int trial, Workload workload, long samples) throws Exception {
        String id = String.format("f%02d-raw-floor-t%d", ++runs, trial);
        List<String> args = new ArrayList<>(List.of("--bootstrap", bootstrap,
                "--workload", workload.prefix(), "--id", id,
                "--stop", RunFiles.offsets(workload.stopOffsets(samples)),
                "--commit-interval-ms", String.valueOf(commitInterval.toMillis()),
                "--timeline", workDir.resolve(id + ".timeline.csv").toString(),
                "--summary", workDir.resolve(id + ".properties").toString()));
        createOutputTopic(id);
        if (warmupSamples > 0) {
            createOutputTopic(id + "-warmup");
            args.addAll(List.of("--warmup-id", id + "-warmup", "--warmup-stop",
                    RunFiles.offsets(workload.stopOffsets(workload.wholeWindows(warmupSamples)))));
        }
        long brokerCpuBefore = os.getProcessCpuTime();
        Process child = jvm.start(RawFloorChild.class, args, workDir.resolve(id + ".log"));
        if (!child.waitFor(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            child.destroyForcibly();
            throw new IllegalStateException(id + " did not finish within " + RUN_TIMEOUT + "; see "
                    + workDir.resolve(id + ".log"));
        }
        long brokerCpu = os.getProcessCpuTime() - brokerCpuBefore;
        Properties summary = RunFiles.summary(workDir, id);
        FloorOutput out = FloorOutput.read(bootstrap, id + ".fused", samples);
        RunFiles.deleteTopics(bootstrap, id);
        RunFiles.deleteTopics(bootstrap, id + "-warmup");
        Timeline timeline = Timeline.read(workDir.resolve(id + ".timeline.csv"));
        long[] emitted = out.emittedAt();
        if (emitted.length == 0) {
            throw new IllegalStateException(id + " committed no output; see "
                    + workDir.resolve(id + ".log"));
        }
        // As the pipeline runs count: from one second after the first emission; to the last
        // emission or, if later, the end of the streams that emit nothing (all input is work).
        int from = 0;
        while (from < emitted.length / 2 && emitted[from] < emitted[0] + 1000) {
            from++;
        }
        long start = emitted[from];
        long end = Math.max(emitted[emitted.length - 1],
                Long.parseLong(summary.getProperty("finished_ms")));
        long counted = emitted.length - from;
        double cpu = timeline.cpuSeconds(start, end);
        FloorResult r = new FloorResult(trial, FloorResult.INPUTS_PER_FUSED * samples, samples,
                out.records(), out.duplicates(), out.missing(), out.unexpected(),
                counted * 1000.0 / Math.max(1, end - start),
                (Long.parseLong(summary.getProperty("finished_ms"))
                        - Long.parseLong(summary.getProperty("submitted_ms"))) / 1000.0,
                cpu * 1e6 / Math.max(1, counted),
                brokerCpu / 1e3 / Math.max(1, out.records()),
                (double) out.valueBytes() / Math.max(1, out.records()),
                Long.parseLong(summary.getProperty("peak_heap_bytes")),
                Long.parseLong(summary.getProperty("vm_hwm_kb")), os.getSystemLoadAverage());
        if (!r.exact()) {
            LOG.warn("{}: {} records for {} samples, {} duplicates, {} missing, {} unexpected", id,
                    r.outputRecords(), r.samples(), r.duplicates(), r.missing(), r.unexpected());
        }
        return r;
    }

    private void createOutputTopic(String id) throws InterruptedException {
        try (TopicAdmin admin = new TopicAdmin(bootstrap)) {
            admin.createTopics(Map.of(id + ".fused", 2), Duration.ofSeconds(30));
        }
    }
}
