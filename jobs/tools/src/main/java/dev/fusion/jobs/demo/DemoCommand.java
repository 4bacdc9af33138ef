package dev.fusion.jobs.demo;

import dev.fusion.jobs.FusionJob;
import dev.fusion.jobs.FusionJobMain;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import dev.fusion.jobs.embedded.EmbeddedKafkaBroker;
import dev.fusion.jobs.kafka.TopicAdmin;
import dev.fusion.jobs.lifecycle.LocalState;
import dev.fusion.jobs.synthetic.SyntheticDistribution;
import dev.fusion.jobs.synthetic.SyntheticLoad;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code demo}: everything embedded. A real single-node Kafka broker, synthetic producers that
 * sample the training distribution, the fusion job on a local MiniCluster with its web UI, a
 * status line each second, and a summary at the end (after the duration or on Ctrl-C).
 */
public final class DemoCommand {

    static final Set<String> OPTIONS = Set.of("duration", "rate", "entities", "corrupt", "corrupt-at",
            "web-port", "page-port", "config", "seed");

    /** Fusions of the first seconds wait for the job to start; the summary's latency skips them. */
    static final long WARM_UP_MILLIS = 5_000;

    private DemoCommand() {
    }

    public static void run(String[] argv, PrintStream out) throws Exception {
        DemoSettings s = DemoSettings.parse(argv);
        out.printf("demo: %d events/s for %s, %d entities, %s alignment, %s fusion%s%n", s.rate,
                s.duration, s.entities, s.policy, s.mode,
                s.corrupting() ? ", " + s.corruptName + " corrupted from " + s.corruptAt : "");
        CountDownLatch interrupted = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            interrupted.countDown();
            try {
                finished.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "demo-stop"));
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            FusionConfig config = s.config(broker.bootstrapServers());
            try (TopicAdmin admin = new TopicAdmin(broker.bootstrapServers())) {
                admin.createTopics(topics(config), Duration.ofSeconds(30));
            }
            out.println("Kafka broker (KRaft, embedded) at " + broker.bootstrapServers());
            run(s, config, out, interrupted);
        } finally {
            finished.countDown();
        }
    }

    private static void run(DemoSettings s, FusionConfig config, PrintStream out, CountDownLatch interrupted)
            throws Exception {
        // Loading the job validates its models; the producers send what those models take.
        FusionJob job = new FusionJob(config, Clock.systemUTC());
        SyntheticDistribution distribution = SyntheticDistribution.forModels(job.manifest());
        distribution.noGroundTruth().ifPresent(why -> out.println("accuracy unavailable: " + why
                + "; the producers send records of the models' shapes"));
        List<String> topics = distribution.streams().stream()
                .map(m -> config.get(FusionOptions.inputTopic(m.id()))).toList();
        SyntheticLoad load = new SyntheticLoad(new SyntheticLoad.Settings(
                config.get(FusionOptions.BOOTSTRAP_SERVERS), topics, s.rate, s.entities, s.seed,
                s.corruptName, s.corruptAt.toMillis()), distribution);
        LiveStats stats = new LiveStats(config.get(FusionOptions.BOOTSTRAP_SERVERS),
                config.get(FusionOptions.TOPIC_FUSED), config.get(FusionOptions.TOPIC_DLQ),
                config.get(FusionOptions.TOPIC_DROPPED), distribution.streams().size(),
                distribution.noGroundTruth().isPresent() ? Map.of() : load.truth(), load::corruptedAt,
                load::startedAt,
                () -> load.startedAt() == 0 ? Long.MAX_VALUE : load.startedAt() + WARM_UP_MILLIS);
        DemoTimeline timeline = new DemoTimeline(s,
                distribution.streams().stream().map(m -> m.id()).toList(), stats::byEventSecond);
        try (DemoPage page = DemoPage.start(s.pagePort, timeline)) {
            run(s, config, new Demo(job, distribution, load, stats, timeline, page.url()), out,
                    interrupted);
            // Give an open page the chance to fetch the summary before the process goes.
            page.awaitPollAfterFinish(Duration.ofSeconds(2));
        }
    }

    /** The demo's parts that outlive the job: the producers, the output watcher, the live page. */
    private record Demo(FusionJob job, SyntheticDistribution distribution, SyntheticLoad load,
            LiveStats stats, DemoTimeline timeline, String pageUrl) {
    }

    private static void run(DemoSettings s, FusionConfig config, Demo demo, PrintStream out,
            CountDownLatch interrupted) throws Exception {
        SyntheticDistribution distribution = demo.distribution();
        SyntheticLoad load = demo.load();
        LiveStats stats = demo.stats();
        FusionJob job = demo.job();
        dev.fusion.jobs.cli.LocalCluster.checkDevice(config);
        int metricsPort = dev.fusion.jobs.cli.LocalCluster.metricsPort(config);
        StreamExecutionEnvironment env = dev.fusion.jobs.cli.LocalCluster.environment(config, s.webPort,
                metricsPort, LocalState.temporary(config), new Configuration());
        FusionJobMain.submit(env, config);
        JobClient client = env.executeAsync(config.get(FusionOptions.JOB_NAME));
        out.println("Flink job " + client.getJobID() + " started; web UI: http://localhost:" + s.webPort
                + ", metrics: " + dev.fusion.jobs.cli.LocalCluster.metricsUrl(metricsPort));
        out.println("live page: " + demo.pageUrl());

        StreamHealthProbe health = new StreamHealthProbe(
                dev.fusion.jobs.cli.LocalCluster.metricsUrl(metricsPort),
                () -> load.startedAt() == 0 ? 0 : System.currentTimeMillis() - load.startedAt());
        Thread healthThread = new Thread(health, "demo-health");
        healthThread.setDaemon(true);
        healthThread.start();
        Thread statsThread = new Thread(stats, "demo-status");
        Thread producer = new Thread(load, "synthetic-producer");
        statsThread.start();
        producer.start();

        StatusLine status = new StatusLine(load, stats, health, out, demo.timeline());
        long end = System.currentTimeMillis() + s.duration.toMillis();
        boolean stoppedEarly = false;
        while (System.currentTimeMillis() < end) {
            if (interrupted.await(1, TimeUnit.SECONDS)) {
                stoppedEarly = true;
                break;
            }
            status.print();
            if (load.failure() != null) {
                throw new IllegalStateException("producer failed", load.failure());
            }
        }
        long producingMillis = System.currentTimeMillis() - load.startedAt();
        health.stop();
        healthThread.interrupt();
        healthThread.join(5_000);
        load.stop();
        producer.join();
        out.println(stoppedEarly ? "stopping (Ctrl-C): draining the job..." : "duration reached: draining the job...");
        // Drain: the final watermark closes every open window, and the savepoint commits the output.
        Path savepoints = Files.createTempDirectory("fusion-demo-savepoint-");
        client.stopWithSavepoint(true, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(60, TimeUnit.SECONDS);
        long produced = sum(load.produced());
        long waitUntil = System.currentTimeMillis() + 15_000;
        while (stats.accounted() < produced && System.currentTimeMillis() < waitUntil) {
            Thread.sleep(200);
        }
        stats.stop();
        statsThread.join();
        deleteQuietly(savepoints);

        Optional<Baselines> baselines = Optional.empty();
        if (distribution.noGroundTruth().isEmpty()) {
            out.println("computing offline single-modality baselines with the same models...");
            baselines = Optional.of(Baselines.compute(job.manifest(), job.fusionMode(), distribution,
                    3000, s.seed + 99));
        }
        ByteArrayOutputStream summary = new ByteArrayOutputStream();
        try (PrintStream text = new PrintStream(summary, true, StandardCharsets.UTF_8)) {
            new DemoSummary(load, stats, baselines.map(DemoSummary.Accuracy::measured)
                    .orElseGet(() -> DemoSummary.Accuracy.unavailable(
                            distribution.noGroundTruth().orElseThrow())),
                    health.firstDegraded(), producingMillis, s).print(text);
        }
        out.print(summary.toString(StandardCharsets.UTF_8));
        demo.timeline().finish(summary.toString(StandardCharsets.UTF_8).strip());
    }

    private static Map<String, Integer> topics(FusionConfig config) {
        Map<String, Integer> topics = new LinkedHashMap<>();
        var names = FusionJobMain.topics(config, config.models().manifest());
        for (int i = 0; i < names.size(); i++) {
            topics.put(names.get(i), i < names.size() - 2 ? 2 : 1);
        }
        return topics;
    }

    private static long sum(long[] v) {
        return java.util.Arrays.stream(v).sum();
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            // A temp directory; the OS cleans it eventually.
        }
    }
}
