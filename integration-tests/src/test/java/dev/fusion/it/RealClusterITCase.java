package dev.fusion.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fusion.jobs.embedded.EmbeddedKafkaBroker;
import dev.fusion.jobs.kafka.CommittedTopicReader;
import dev.fusion.jobs.kafka.TopicAdmin;
import dev.fusion.jobs.lifecycle.RetainedState;
import dev.fusion.jobs.lifecycle.Snapshot;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DroppedEvent;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.codec.CodecException;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shaded job jar on a real standalone Flink session cluster, submitted and driven with Flink's
 * own CLI exactly as docs/OPERATIONS.md tells a user to: a JobManager and TaskManagers each in its
 * own JVM, live traffic throughout, a TaskManager killed with SIGKILL and replaced, a stop with a
 * savepoint and a resume from it, a cancel and a resume from the retained checkpoint (a start
 * without state refused in between), and the committed output checked to account for every event
 * sent exactly once, each of them fused (none dropped LATE while a source starts slowly). A
 * second test runs jobs of the jar without ONNX Runtime, with ONNX Runtime in the cluster's
 * {@code lib/}, and checks that their TaskManager maps the native library once.
 */
class RealClusterITCase {

    private static final Logger LOG = LoggerFactory.getLogger(RealClusterITCase.class);
    private static final Duration CLI_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final int PARTITIONS = 3;

    private static EmbeddedKafkaBroker broker;

    @TempDir
    Path state;

    private Path clusterDir;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void theJobSurvivesALostTaskManagerAStopAndACancelOnAStandaloneCluster(TestInfo test)
            throws Exception {
        Topics topics = createTopics("rc");
        String group = "cluster-" + topics.suffix();
        Path checkpoints = state.resolve("checkpoints");
        Path savepoints = state.resolve("savepoints");
        Map<String, String> settings = clusterSettings(1, 2);
        settings.put("execution.checkpointing.interval", "1 s");
        settings.put("execution.checkpointing.dir", checkpoints.toUri().toString());
        Path yaml = jobConfig("fusion.yaml", topics, group);
        String jar = JobJars.full().toString();

        // Traffic flows from before the cluster starts to the end: the first job reads the backlog.
        LiveTraffic traffic = new LiveTraffic(broker.bootstrapServers(), topics, 40, 40, "rc-");
        traffic.start();
        List<String> sent = null;
        try (StandaloneFlinkCluster cluster = startCluster(test, settings, 2)) {
            try {
                // a. Submit as the README does; both TaskManagers (one slot each) run the job.
                Instant submitted = Instant.now();
                String first = cluster.flink(CLI_TIMEOUT, "run", "-d", jar,
                        "--config", yaml.toString()).jobId();
                awaitFusedAfter(topics, submitted, fusedEnds(topics));
                awaitBothTaskManagersIntegrate(cluster, first);
                awaitCheckpointAfter(checkpoints, first, submitted);

                // b. One TaskManager dies; a replacement starts; the job recovers.
                Map<TopicPartition, Long> beforeKill = fusedEnds(topics);
                Instant killed = Instant.now();
                cluster.kill("taskmanager-1");
                cluster.startTaskManager();
                Instant checkpointed =
                        awaitCheckpointAfter(checkpoints, first, killed).completedAt();
                Instant fused = awaitFusedAfter(topics, killed, beforeKill);
                cluster.awaitTaskManagers(2);
                LOG.info("TaskManager killed: first checkpoint completed {} ms and first fused"
                        + " output visible {} ms after the kill; restarts: {}",
                        Duration.between(killed, checkpointed).toMillis(),
                        Duration.between(killed, fused).toMillis(), restarts(cluster, first));

                // c. Stop with a savepoint; resume from it.
                String savepoint = cluster.flink(CLI_TIMEOUT, "stop", "--savepointPath",
                        savepoints.toUri().toString(), first).savepoint();
                await("the stopped job to finish", TIMEOUT,
                        () -> cluster.jobStatus(first).equals("FINISHED"));
                Map<TopicPartition, Long> beforeResume = fusedEnds(topics);
                Instant resumed = Instant.now();
                String second = cluster.flink(CLI_TIMEOUT, "run", "-d", "-s", savepoint, jar,
                        "--config", yaml.toString()).jobId();
                awaitFusedAfter(topics, resumed, beforeResume);
                awaitCheckpointAfter(checkpoints, second, resumed);

                // d. Cancel; a start without state is refused; resume from the retained checkpoint.
                assertThat(cluster.flink(CLI_TIMEOUT, "cancel", second).exitCode()).isZero();
                await("the cancelled job to end", TIMEOUT,
                        () -> cluster.jobStatus(second).equals("CANCELED"));
                StandaloneFlinkCluster.CliResult refused = cluster.flink(CLI_TIMEOUT,
                        "run", "-d", jar, "--config", yaml.toString());
                assertThat(refused.exitCode()).as("exit code of a run without -s").isNotZero();
                assertThat(refused.output()).contains("consumer group '" + group + "'")
                        .contains("job.start-fresh=true");
                String retained = latestRetained(checkpoints, second);
                assertThat(retained).startsWith(checkpoints.resolve(second).toString() + "/chk-");
                Map<TopicPartition, Long> beforeRetained = fusedEnds(topics);
                Instant restored = Instant.now();
                cluster.flink(CLI_TIMEOUT, "run", "-d", "-s", retained, jar,
                        "--config", yaml.toString()).jobId();
                awaitFusedAfter(topics, restored, beforeRetained);

                // e. Traffic stops; the quiet inputs flush; everything sent is accounted for once.
                sent = traffic.stop();
                LOG.info("traffic stopped at {}; phases: submitted {}, killed {}, resumed from the"
                        + " savepoint {}, from the retained checkpoint {}", Instant.now(),
                        submitted, killed, resumed, restored);
                Outputs out = awaitAccounted(topics, sent);
                report(sent, out);
                Accounting.assertExact(sent, out.fused(), out.deadLetters(), out.dropped());
                // Steady, valid, on-time traffic: every event is fused, across the slow first
                // start over a backlog and every restart (report() logs what any drop was).
                assertThat(out.deadLetters().size()).as("dead letters").isZero();
                assertThat(out.dropped().size()).as("dropped events, LATE or any other reason")
                        .isZero();
            } catch (Throwable t) {
                cluster.printLogs();
                throw t;
            }
        } finally {
            if (sent == null) {
                traffic.stop();
            }
        }
    }

    /**
     * {@code job.state-changelog} on a standalone cluster whose TaskManagers store the changelog
     * as the docs say: the job recovers a lost TaskManager from changelog checkpoints; a restore
     * of a savepoint without claiming it is refused on the client, naming the key; claiming it
     * works; and every event sent is accounted for once.
     */
    @Test
    void theChangelogStateBackendRecoversALostTaskManagerOnAStandaloneCluster(TestInfo test)
            throws Exception {
        Topics topics = createTopics("cl");
        String group = "changelog-" + topics.suffix();
        Path checkpoints = state.resolve("changelog-checkpoints");
        Map<String, String> settings = clusterSettings(1, 2);
        settings.put("execution.checkpointing.interval", "500 ms");
        settings.put("execution.checkpointing.dir", checkpoints.toUri().toString());
        settings.put("state.changelog.storage", "filesystem");
        settings.put("state.changelog.dstl.dfs.base-path", checkpoints.resolve("changelog").toUri().toString());
        Path yaml = jobConfig("changelog.yaml", topics, group, "job:", "  state-changelog: true");
        String jar = JobJars.full().toString();

        LiveTraffic traffic = new LiveTraffic(broker.bootstrapServers(), topics, 40, 40, "cl-");
        traffic.start();
        List<String> sent = null;
        try (StandaloneFlinkCluster cluster = startCluster(test, settings, 2)) {
            try {
                Instant submitted = Instant.now();
                String first = cluster.flink(CLI_TIMEOUT, "run", "-d", jar,
                        "--config", yaml.toString()).jobId();
                awaitFusedAfter(topics, submitted, fusedEnds(topics));
                awaitCheckpointAfter(checkpoints, first, submitted);

                Map<TopicPartition, Long> beforeKill = fusedEnds(topics);
                Instant killed = Instant.now();
                cluster.kill("taskmanager-1");
                cluster.startTaskManager();
                awaitCheckpointAfter(checkpoints, first, killed);
                awaitFusedAfter(topics, killed, beforeKill);
                assertThat(restarts(cluster, first)).as("restarts after the lost TaskManager")
                        .isPositive();
                Path changes = checkpoints.resolve("changelog").resolve(first).resolve("dstl");
                try (Stream<Path> files = Files.list(changes)) {
                    assertThat(files.count()).as("changelog files in %s", changes).isPositive();
                }

                String savepoint = cluster.flink(CLI_TIMEOUT, "stop", "--savepointPath",
                        state.resolve("changelog-savepoints").toUri().toString(), first).savepoint();
                await("the stopped job to finish", TIMEOUT,
                        () -> cluster.jobStatus(first).equals("FINISHED"));
                StandaloneFlinkCluster.CliResult refused = cluster.flink(CLI_TIMEOUT,
                        "run", "-d", "-s", savepoint, jar, "--config", yaml.toString());
                assertThat(refused.exitCode()).as("exit code of a restore that does not claim")
                        .isNotZero();
                assertThat(refused.output()).contains("job.state-changelog")
                        .contains("without claiming it");
                Map<TopicPartition, Long> beforeResume = fusedEnds(topics);
                Instant resumed = Instant.now();
                String second = cluster.flink(CLI_TIMEOUT, "run", "-d", "-s", savepoint,
                        "--claimMode", "claim", jar, "--config", yaml.toString()).jobId();
                awaitFusedAfter(topics, resumed, beforeResume);
                awaitCheckpointAfter(checkpoints, second, resumed);

                sent = traffic.stop();
                Outputs out = awaitAccounted(topics, sent);
                report(sent, out);
                Accounting.assertExact(sent, out.fused(), out.deadLetters(), out.dropped());
                assertThat(out.deadLetters().size()).as("dead letters").isZero();
                assertThat(out.dropped().size()).as("dropped events").isZero();
            } catch (Throwable t) {
                cluster.printLogs();
                throw t;
            }
        } finally {
            if (sent == null) {
                traffic.stop();
            }
        }
    }

    @Test
    void onnxRuntimeInLibIsLoadedOncePerTaskManagerHoweverManyJobsRunThere(TestInfo test)
            throws Exception {
        try (StandaloneFlinkCluster cluster = startCluster(test, clusterSettings(4, 1), 1)) {
            try {
                long pid = cluster.pid("taskmanager-1");
                assertThat(onnxRuntimeCopies(pid)).as("ONNX Runtime copies before any job")
                        .isEmpty();
                submitAndAwaitFusion(cluster, "lean-a", JobJars.withoutOnnxRuntime());
                submitAndAwaitFusion(cluster, "lean-b", JobJars.withoutOnnxRuntime());
                Set<String> shared = onnxRuntimeCopies(pid);
                LOG.info("two jobs of the jar without ONNX Runtime: {} mapped in the TaskManager"
                        + " ({})", shared, residentSize(pid));
                assertThat(shared).as("libonnxruntime.so copies mapped by the TaskManager")
                        .hasSize(1);

                // For contrast: each job of the full jar loads its own copy, child-first.
                submitAndAwaitFusion(cluster, "full-c", JobJars.full());
                submitAndAwaitFusion(cluster, "full-d", JobJars.full());
                Set<String> all = onnxRuntimeCopies(pid);
                LOG.info("and two jobs of the full jar: {} mapped ({})", all, residentSize(pid));
                assertThat(all).hasSize(3).containsAll(shared);
            } catch (Throwable t) {
                cluster.printLogs();
                throw t;
            }
        }
    }

    /** Submits {@code jar} for topics of its own and waits for its first fused output. */
    private void submitAndAwaitFusion(StandaloneFlinkCluster cluster, String name, Path jar)
            throws Exception {
        Topics topics = createTopics(name);
        Scenario.generate(6, 3, name.hashCode()).produce(broker.bootstrapServers(), topics);
        Path yaml = jobConfig(name + ".yaml", topics, "cluster-" + name);
        String job = cluster.flink(CLI_TIMEOUT, "run", "-d", jar.toString(),
                "--config", yaml.toString()).jobId();
        await("fused output of job " + name, TIMEOUT, () -> !CommittedTopicReader.readAll(
                broker.bootstrapServers(), topics.fused(), FusedEvent.class,
                Duration.ofSeconds(30)).isEmpty());
        assertThat(cluster.jobStatus(job)).isEqualTo("RUNNING");
    }

    /**
     * The distinct files named {@code libonnxruntime.so} that process {@code pid} maps: ONNX
     * Runtime extracts its library to a new temporary directory each time its Java class loads it.
     */
    private static Set<String> onnxRuntimeCopies(long pid) throws IOException {
        try (Stream<String> maps = Files.lines(Path.of("/proc", String.valueOf(pid), "maps"))) {
            return maps.map(line -> line.split("\\s+", 6))
                    .filter(f -> f.length == 6)
                    .map(f -> f[5].replace(" (deleted)", ""))
                    .filter(p -> Path.of(p).getFileName() != null
                            && Path.of(p).getFileName().toString().equals("libonnxruntime.so"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** The process's resident set size, as /proc/PID/status says it ("VmRSS: ... kB"). */
    private static String residentSize(long pid) throws IOException {
        try (Stream<String> status = Files.lines(Path.of("/proc", String.valueOf(pid), "status"))) {
            return status.filter(l -> l.startsWith("VmRSS:")).findFirst().orElse("VmRSS unknown")
                    .replaceAll("\\s+", " ");
        }
    }

    /** A cluster's settings: slots per TaskManager, parallelism and fast failure detection. */
    private static Map<String, String> clusterSettings(int slots, int parallelism) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("taskmanager.numberOfTaskSlots", String.valueOf(slots));
        s.put("parallelism.default", String.valueOf(parallelism));
        s.put("jobmanager.memory.process.size", "1024m");
        s.put("taskmanager.memory.process.size", "1536m");
        s.put("taskmanager.memory.task.off-heap.size", "128m");
        // A lost TaskManager is noticed within seconds, and a slot waits long enough for its
        // deployment on a busy machine (shared/PLATFORM.md: 11 restarts to 1).
        s.put("heartbeat.interval", "2000");
        s.put("heartbeat.timeout", "15000");
        s.put("heartbeat.rpc-failure-threshold", "1");
        s.put("taskmanager.slot.timeout", "60 s");
        s.put("metrics.fetcher.update-interval", "1000");
        return s;
    }

    private StandaloneFlinkCluster startCluster(TestInfo test, Map<String, String> settings,
            int taskManagers) throws Exception {
        clusterDir = Path.of("target", "real-cluster", test.getTestMethod().orElseThrow().getName()
                + "-" + System.currentTimeMillis()).toAbsolutePath();
        return StandaloneFlinkCluster.start(clusterDir, settings, taskManagers);
    }

    private static Topics createTopics(String suffix) throws Exception {
        Topics topics = new Topics(suffix + "-" + Long.toString(System.nanoTime(), 36));
        try (TopicAdmin admin = new TopicAdmin(broker.bootstrapServers())) {
            admin.createTopics(topics.partitions(PARTITIONS), Duration.ofSeconds(30));
        }
        return topics;
    }

    /** The job's configuration file, as a user writes it for {@code flink run ... --config}. */
    private Path jobConfig(String file, Topics topics, String group, String... moreLines)
            throws IOException {
        List<String> lines = new ArrayList<>(List.of(
                "kafka:",
                "  bootstrap-servers: " + broker.bootstrapServers(),
                "  group-id: " + group,
                "  transactional-id-prefix: " + group,
                "  topics:",
                "    text: " + topics.text(),
                "    audio: " + topics.audio(),
                "    image: " + topics.image(),
                "    fused: " + topics.fused(),
                "    dlq: " + topics.dlq(),
                "    dropped: " + topics.dropped(),
                "inference:",
                "  device: cpu",
                "align:",
                "  window: 1 s",
                "  idle-flush-after: 3 s"));
        lines.addAll(List.of(moreLines));
        Path path = state.resolve(file);
        Files.writeString(path, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return path;
    }

    /** As the docs: {@code ./fusion state --latest --set job.checkpoint-dir=DIR --job-id ID}. */
    private String latestRetained(Path checkpoints, String jobId) throws Exception {
        Path out = clusterDir.resolve("log").resolve("fusion-state.out");
        try (CliProcess cli = CliProcess.start(out, List.of("state", "--latest",
                "--set", "job.checkpoint-dir=" + checkpoints.toUri(), "--job-id", jobId))) {
            assertThat(cli.awaitExit(CLI_TIMEOUT)).as("exit code of fusion state:\n" + cli.output())
                    .isZero();
            List<String> lines = cli.output().lines().filter(l -> !l.isBlank()).toList();
            return lines.get(lines.size() - 1).trim();
        }
    }

    /** Waits for a checkpoint of {@code jobId} completed after {@code after}. */
    private static Snapshot awaitCheckpointAfter(Path checkpoints, String jobId, Instant after)
            throws Exception {
        RetainedState retained =
                new RetainedState(checkpoints.toUri(), null, JobID.fromHexString(jobId));
        await("a checkpoint of job " + jobId + " after " + after, TIMEOUT, () -> retained.latest()
                .filter(s -> s.kind() == Snapshot.Kind.CHECKPOINT && s.completedAt().isAfter(after))
                .isPresent());
        return retained.latest().orElseThrow();
    }

    /** How often the job failed and restarted: the entries of its exception history (REST). */
    private static int restarts(StandaloneFlinkCluster cluster, String jobId) throws Exception {
        return cluster.rest("/jobs/" + jobId + "/exceptions").path("exceptionHistory")
                .path("entries").size();
    }

    /** The integration operator's subtasks read records on two TaskManagers (REST metrics). */
    private static void awaitBothTaskManagersIntegrate(StandaloneFlinkCluster cluster, String jobId)
            throws Exception {
        String vertex = null;
        for (JsonNode v : cluster.rest("/jobs/" + jobId).path("vertices")) {
            if (v.path("name").asText().contains("integrate")) {
                vertex = v.path("id").asText();
            }
        }
        assertThat(vertex).as("the vertex of the integrate operator").isNotNull();
        String path = "/jobs/" + jobId + "/vertices/" + vertex + "/taskmanagers";
        Set<String> busy = new TreeSet<>();
        await("the integrate operator to read records on two TaskManagers", TIMEOUT, () -> {
            busy.clear();
            for (JsonNode tm : cluster.rest(path).path("taskmanagers")) {
                if (tm.path("metrics").path("read-records").asLong() > 0) {
                    busy.add(tm.path("taskmanager-id").asText());
                }
            }
            return busy.size() == 2;
        });
        LOG.info("integrate reads records on TaskManagers {}", busy);
    }

    /** The committed (last stable) end offsets of the fused topic now. */
    private static Map<TopicPartition, Long> fusedEnds(Topics topics) {
        try (KafkaConsumer<byte[], byte[]> consumer = committedConsumer()) {
            List<TopicPartition> partitions = consumer.partitionsFor(topics.fused(),
                    Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topics.fused(), p.partition())).toList();
            return consumer.endOffsets(partitions, Duration.ofSeconds(30));
        }
    }

    /**
     * Waits, reading on from {@code from}, for a committed fusion emitted after {@code after};
     * returns when it was seen.
     */
    private static Instant awaitFusedAfter(Topics topics, Instant after,
            Map<TopicPartition, Long> from) throws CodecException {
        SingleObjectCodec<FusedEvent> codec = SingleObjectCodec.forSpecific(FusedEvent.class);
        try (KafkaConsumer<byte[], byte[]> consumer = committedConsumer()) {
            consumer.assign(from.keySet());
            from.forEach(consumer::seek);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (codec.decode(r.value()).getEmittedAt().isAfter(after)) {
                        return Instant.now();
                    }
                }
            }
        }
        throw new AssertionError("no fusion emitted after " + after + " committed within "
                + TIMEOUT);
    }

    private static KafkaConsumer<byte[], byte[]> committedConsumer() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** The three committed outputs. */
    private record Outputs(List<FusedEvent> fused, List<DeadLetter> deadLetters,
            List<DroppedEvent> dropped) {
    }

    private static Outputs readOutputs(Topics topics) {
        String bs = broker.bootstrapServers();
        Duration timeout = Duration.ofSeconds(30);
        return new Outputs(
                CommittedTopicReader.readAll(bs, topics.fused(), FusedEvent.class, timeout),
                CommittedTopicReader.readAll(bs, topics.dlq(), DeadLetter.class, timeout),
                CommittedTopicReader.readAll(bs, topics.dropped(), DroppedEvent.class, timeout));
    }

    /** Reads the committed outputs until every id sent is accounted for (or the time is up). */
    private static Outputs awaitAccounted(Topics topics, List<String> sent) throws Exception {
        Set<String> expected = new HashSet<>(sent);
        Outputs[] out = new Outputs[1];
        try {
            await("every id sent to be accounted for", TIMEOUT, () -> {
                out[0] = readOutputs(topics);
                Set<String> ids = new HashSet<>();
                out[0].fused().forEach(f -> ids.addAll(f.getSourceEventIds()));
                out[0].deadLetters().forEach(d -> ids.add(d.getEventId()));
                out[0].dropped().forEach(d -> ids.add(d.getEventId()));
                return ids.containsAll(expected);
            });
        } catch (AssertionError e) {
            // The exact assertion says what is missing.
        }
        return out[0];
    }

    private static void report(List<String> sent, Outputs out) {
        List<String> all = new ArrayList<>();
        out.fused().forEach(f -> all.addAll(f.getSourceEventIds()));
        int fusedEvents = all.size();
        out.deadLetters().forEach(d -> all.add(d.getEventId()));
        out.dropped().forEach(d -> all.add(d.getEventId()));
        Set<String> distinct = new HashSet<>(all);
        Set<String> missing = new HashSet<>(sent);
        missing.removeAll(distinct);
        LOG.info("real cluster: sent {} / fused {} events in {} fusions / dlq {} / dropped {} /"
                + " missing {} / duplicated {}", sent.size(), fusedEvents, out.fused().size(),
                out.deadLetters().size(), out.dropped().size(), missing.size(),
                all.size() - distinct.size());
        // Drops are accounted for too; say which they are and when their events happened.
        Map<String, List<DroppedEvent>> byReason = out.dropped().stream().collect(
                Collectors.groupingBy(d -> String.valueOf(d.getReason()), TreeMap::new,
                        Collectors.toList()));
        byReason.forEach((reason, drops) -> LOG.info("dropped {}: {} events, event times {} to {};"
                + " e.g. '{}'", reason, drops.size(),
                drops.stream().map(DroppedEvent::getEventTime).min(Comparator.naturalOrder()).get(),
                drops.stream().map(DroppedEvent::getEventTime).max(Comparator.naturalOrder()).get(),
                drops.get(0).getMessage()));
    }

    /** Polls {@code condition} every 200 ms until it holds; fails after {@code timeout}. */
    private static void await(String what, Duration timeout, Callable<Boolean> condition)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
    }
}
