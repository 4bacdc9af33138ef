package dev.fusion.bench.pipeline;

import dev.fusion.jobs.kafka.TopicAdmin;
import dev.fusion.schemas.Modality;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * An open-loop latency run: the job (latest alignment, so each record triggers its own fusion)
 * serves fresh topics in a child JVM while the harness produces at a fixed rate and a
 * read_committed probe timestamps what becomes visible. A warm-up precedes the measurement
 * window; the job runs with its configuration's options (checkpoint interval, watermarks).
 */
public final class LatencyRun {

    /**
     * How latency runs are driven.
     *
     * @param warmup load before the measurement window (absorbs start-up and JIT)
     * @param measure the measurement window
     * @param entities entities the samples are spread over
     */
    public record Settings(Duration warmup, Duration measure, int entities) {
    }

    private static final long TAIL_MILLIS = 2000;

    private final PipelineHarness harness;
    private final Settings settings;
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    public LatencyRun(PipelineHarness harness, Settings settings) {
        this.harness = harness;
        this.settings = settings;
    }

    /** Runs {@code spec} at {@code eventsPerSecond} ({@code loadFraction} of the maximum). */
    public LatencyResult run(RunSpec spec, int trial, double loadFraction, double eventsPerSecond,
            Workload workload) throws Exception {
        String id = harness.nextRunId(spec.name() + "-" + Math.round(100 * loadFraction) + "pct-t"
                + trial);
        String bootstrap = harness.bootstrap();
        Path dir = harness.workDir();
        createTopics(id);
        Map<String, String> options = harness.jobOptions(spec, id);
        for (Modality m : Modality.values()) {
            options.put("kafka.topics." + m.name().toLowerCase(java.util.Locale.ROOT),
                    Workload.topic(id, m));
        }
        Path ready = dir.resolve(id + ".ready");
        List<String> args = new ArrayList<>(PipelineHarness.setArgs(options));
        args.addAll(harness.warmupArgs(id, workload));
        args.addAll(List.of("--inference", spec.passThrough() ? "passthrough" : "models",
                "--ready", ready.toString(),
                "--checkpoint-dir", harness.checkpointDir(id).toString(),
                "--timeline", dir.resolve(id + ".timeline.csv").toString(),
                "--summary", dir.resolve(id + ".properties").toString()));
        Process child = harness.jvm().start(args, dir.resolve(id + ".log"));
        try {
            awaitReady(child, ready, id);
            long start = System.currentTimeMillis() + 1000;
            long from = start + settings.warmup().toMillis();
            long to = from + settings.measure().toMillis();
            LatencyProbe probe = new LatencyProbe(bootstrap, id + ".fused", from, to);
            // The load goes on past the window: latest alignment fires a record only once the
            // watermark passes it, which takes later records.
            OpenLoopProducer producer = new OpenLoopProducer(bootstrap, id, eventsPerSecond,
                    settings.entities(), 1000L + trial, start, to + TAIL_MILLIS);
            Thread probeThread = new Thread(probe, "latency-probe");
            Thread producerThread = new Thread(producer, "open-loop-producer");
            probeThread.start();
            long harnessCpuBefore = os.getProcessCpuTime();
            producerThread.start();
            long expected = expectedInWindow(eventsPerSecond, start, from, to);
            producerThread.join();
            if (producer.failure() != null) {
                throw new IllegalStateException(id + ": the load generator failed",
                        producer.failure());
            }
            long harnessCpu = os.getProcessCpuTime() - harnessCpuBefore;
            long drainUntil = System.currentTimeMillis() + 30_000;
            while (probe.count() < expected && System.currentTimeMillis() < drainUntil) {
                Thread.sleep(100);
            }
            probe.stop();
            probeThread.join();
            if (probe.failure() != null) {
                throw new IllegalStateException(id + ": the latency probe failed", probe.failure());
            }
            Files.write(dir.resolve(id + ".latency-per-second.csv"), probe.perSecond());
            stop(child, id);
            Properties summary = harness.summary(id);
            Timeline timeline = Timeline.read(dir.resolve(id + ".timeline.csv"));
            long[] internal = probe.internalSorted();
            long[] visible = probe.visibleSorted();
            int fused = internal.length;
            double cpu = timeline.cpuSeconds(from, to);
            return new LatencyResult(spec, trial, loadFraction, eventsPerSecond,
                    producer.sent() * 1000.0 / (to + TAIL_MILLIS - start), fused, expected,
                    probe.emittedInWindow() * 1000.0 / (to - from),
                    LatencyProbe.quantile(internal, 0.5), LatencyProbe.quantile(internal, 0.99),
                    LatencyProbe.quantile(internal, 0.999), LatencyProbe.quantile(visible, 0.5),
                    LatencyProbe.quantile(visible, 0.99), LatencyProbe.quantile(visible, 0.999),
                    cpu * 1e6 / Math.max(1, fused), harnessCpu / 1e3 / Math.max(1, producer.sent()),
                    producer.maxLag().toMillis(),
                            Long.parseLong(summary.getProperty("peak_heap_bytes")),
                    Long.parseLong(summary.getProperty("vm_hwm_kb")), os.getSystemLoadAverage(),
                    CheckpointLog.read(dir.resolve(id + ".log")));
        } finally {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
            harness.deleteTopics(id);
            harness.deleteTopics(PipelineHarness.warmupId(id));
            PipelineHarness.deleteRecursively(harness.checkpointDir(id));
            PipelineHarness.deleteRecursively(Path.of(harness.checkpointDir(id) + "-warmup"));
        }
    }

    /** Events (= latest-policy fusions) whose scheduled time falls in {@code [from, to)}. */
    private static long expectedInWindow(double eventsPerSecond, long start, long from, long to) {
        double samplesPerSecond = eventsPerSecond / 3;
        long first = (long) Math.ceil((from - start) / 1000.0 * samplesPerSecond);
        long last = (long) Math.ceil((to - start) / 1000.0 * samplesPerSecond);
        return 3 * (last - first);
    }

    private void createTopics(String id) throws InterruptedException {
        Map<String, Integer> topics = new LinkedHashMap<>();
        for (Modality m : Modality.values()) {
            topics.put(Workload.topic(id, m), 2);
        }
        topics.put(id + ".fused", 2);
        topics.put(id + ".dlq", 1);
        topics.put(id + ".dropped", 1);
        try (TopicAdmin admin = new TopicAdmin(harness.bootstrap())) {
            admin.createTopics(topics, Duration.ofSeconds(30));
        }
    }

    private static void awaitReady(Process child, Path ready,
            String id) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 120_000;
        while (!Files.exists(ready)) {
            if (!child.isAlive() || System.currentTimeMillis() > deadline) {
                throw new IllegalStateException(id + ": the job did not start; see its log");
            }
            Thread.sleep(100);
        }
    }

    private static void stop(Process child, String id) throws IOException, InterruptedException {
        try (OutputStream in = child.getOutputStream()) {
            in.write("stop\n".getBytes(StandardCharsets.UTF_8));
        }
        if (!child.waitFor(90, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            throw new IllegalStateException(id + ": the job did not stop within 90 s");
        }
    }
}
