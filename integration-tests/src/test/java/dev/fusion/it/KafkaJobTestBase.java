package dev.fusion.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.jobs.FusionEnvironment;
import dev.fusion.jobs.FusionJob;
import dev.fusion.jobs.FusionSources;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import dev.fusion.jobs.embedded.EmbeddedKafkaBroker;
import dev.fusion.jobs.kafka.CheckedProducer;
import dev.fusion.jobs.kafka.CommittedTopicReader;
import dev.fusion.jobs.kafka.KafkaFusionIo;
import dev.fusion.jobs.kafka.TopicAdmin;
import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DroppedEvent;
import dev.fusion.schemas.FusedEvent;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real Kafka broker per test class, a Flink MiniCluster (one TaskManager, four slots), and
 * fresh topics for every test; after each test no Kafka producer thread may be left running.
 */
abstract class KafkaJobTestBase {

    static final int PARTITIONS = 3;
    static final int PARALLELISM = 2;
    private static final AtomicInteger TEST_NUMBER = new AtomicInteger();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(4)
                    .build());

    static EmbeddedKafkaBroker broker;

    /** This test's topics and their configuration. */
    Topics topics;

    /** Jobs this test started asynchronously; any still running after the test is cancelled. */
    private final List<JobClient> startedJobs = new ArrayList<>();

    /**
     * The class's broker, unless the test class declares a static {@code startBroker()} of its
     * own that starts its Kafka: JUnit runs both (a static method hides, it does not override),
     * this one first.
     */
    @BeforeAll
    static void startBroker(TestInfo test) throws Exception {
        boolean ownKafka = test.getTestClass().stream()
                .flatMap(c -> Arrays.stream(c.getDeclaredMethods()))
                .anyMatch(m -> m.getName().equals("startBroker")
                        && Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 0);
        if (!ownKafka) {
            broker = EmbeddedKafkaBroker.start();
        }
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    @BeforeEach
    void createTopics() throws Exception {
        topics = new Topics("t" + TEST_NUMBER.incrementAndGet());
        try (TopicAdmin admin = new TopicAdmin(bootstrapServers())) {
            admin.createTopics(topics.partitions(PARTITIONS), Duration.ofSeconds(30));
        }
    }

    @AfterEach
    void noProducerThreadLeaks() throws Exception {
        cancelStartedJobs();
        KafkaClientThreads.awaitGone(topics.suffix(), Duration.ofSeconds(30));
    }

    /** Where this test's clients connect: the class's broker, or a cluster of a subclass's. */
    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** Job configuration for this test's topics and broker, plus {@code overrides}. */
    FusionConfig config(Map<String, String> overrides) {
        Map<String, String> all = new HashMap<>(topics.configuration());
        all.put("kafka.bootstrap-servers", bootstrapServers());
        all.put("kafka.transactional-id-prefix", topics.suffix());
        all.put("kafka.group-id", "it-" + topics.suffix());
        all.put("job.parallelism", String.valueOf(PARALLELISM));
        all.put("job.checkpoint-interval", "500 ms");
        all.put("inference.device", "cpu");
        all.put("inference.batch-size", "16");
        all.put("inference.max-delay", "10 ms");
        all.putAll(overrides);
        return FusionConfig.of(all);
    }

    /** Runs the job on bounded Kafka input (everything produced so far) until it finishes. */
    void runBounded(FusionConfig config) throws Exception {
        runBounded(config, new Configuration(), UnaryOperator.identity());
    }

    /**
     * Runs the job on bounded Kafka input until it finishes, with Flink settings {@code overrides}
     * applied over the job's own, and the Kafka sources wrapped by {@code decorate}.
     */
    JobExecutionResult runBounded(FusionConfig config, Configuration overrides,
            UnaryOperator<FusionSources> decorate) throws Exception {
        StreamExecutionEnvironment env = environment(config, overrides);
        KafkaFusionIo io = new KafkaFusionIo(config, true);
        new FusionJob(config, Clock.systemUTC()).build(env, decorate.apply(io), io);
        return env.execute("it-" + topics.suffix());
    }

    /**
     * Starts the job on unbounded Kafka input (it runs until stopped or cancelled); the test's
     * clean-up cancels it if the test does not stop it.
     */
    JobClient startUnbounded(FusionConfig config, Configuration overrides) throws Exception {
        return start(config, overrides, false, UnaryOperator.identity());
    }

    /**
     * Starts the job without waiting for it, on bounded or unbounded Kafka input, with the Kafka
     * sources wrapped by {@code decorate}; the test's clean-up cancels it if it still runs.
     */
    JobClient start(FusionConfig config, Configuration overrides, boolean bounded,
            UnaryOperator<FusionSources> decorate) throws Exception {
        StreamExecutionEnvironment env = environment(config, overrides);
        KafkaFusionIo io = new KafkaFusionIo(config, bounded);
        new FusionJob(config, Clock.systemUTC()).build(env, decorate.apply(io), io);
        JobClient client = env.executeAsync("it-" + topics.suffix());
        startedJobs.add(client);
        return client;
    }

    /**
     * The job's execution environment: the production settings, then {@code overrides} (for
     * instance a savepoint to restore or another restart strategy).
     */
    static StreamExecutionEnvironment environment(FusionConfig config, Configuration overrides) {
        Configuration base = FusionEnvironment.baseConfiguration();
        base.addAll(overrides);
        StreamExecutionEnvironment env = FusionEnvironment.configure(
                StreamExecutionEnvironment.getExecutionEnvironment(base), config);
        // configure() re-applies the production defaults; the test's settings win.
        env.configure(overrides);
        return env;
    }

    /** Produces {@code records} to their modalities' topics, keyed by entity, and checks each. */
    void produce(List<ModalityRecord> records) throws InterruptedException {
        try (CheckedProducer producer = new CheckedProducer(bootstrapServers())) {
            for (ModalityRecord r : records) {
                producer.send(Scenario.topic(topics, Streams.of(r)),
                        r.entityId.getBytes(StandardCharsets.UTF_8), Scenario.encode(r));
            }
            producer.flush();
        }
    }

    /** Everything committed so far in the three output topics ({@code read_committed}). */
    Outputs readOutputs() {
        String bs = bootstrapServers();
        Duration timeout = Duration.ofSeconds(30);
        return new Outputs(
                CommittedTopicReader.readAll(bs, topics.fused(), FusedEvent.class, timeout),
                CommittedTopicReader.readAll(bs, topics.dlq(), DeadLetter.class, timeout),
                CommittedTopicReader.readAll(bs, topics.dropped(), DroppedEvent.class, timeout));
    }

    /** The three committed outputs of a run. */
    record Outputs(List<FusedEvent> fused, List<DeadLetter> deadLetters,
            List<DroppedEvent> dropped) {
    }

    /**
     * Waits until the job's consumer group has committed, for every input partition, the
     * partition's end offset. The sources commit on completed checkpoints only, so once this
     * holds a completed checkpoint covers every input record produced so far.
     */
    void awaitInputConsumed(FusionConfig config, Duration timeout) throws Exception {
        String group = config.get(FusionOptions.GROUP_ID);
        Map<TopicPartition, Long> ends = inputEndOffsets();
        try (TopicAdmin admin = new TopicAdmin(bootstrapServers())) {
            Map<String, String> lagging = new TreeMap<>();
            try {
                await("consumer group " + group + " to commit the input's end offsets", timeout,
                        () -> lagging(admin, group, ends, lagging).isEmpty());
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; committed/end: " + lagging, e);
            }
        }
    }

    /** Fills {@code out} with "committed/end" of every partition the group is behind on. */
    private static Map<String, String> lagging(TopicAdmin admin, String group,
            Map<TopicPartition, Long> ends, Map<String, String> out) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.admin()
                .listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS);
        out.clear();
        ends.forEach((tp, end) -> {
            OffsetAndMetadata c = committed.get(tp);
            // A source commits nothing for a partition it never read a record of.
            long at = c == null ? 0 : c.offset();
            if (at < end) {
                out.put(tp.toString(), at + "/" + end);
            }
        });
        return out;
    }

    /** The end offset of every input partition (text, audio, image). */
    Map<TopicPartition, Long> inputEndOffsets() throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (String topic : List.of(topics.text(), topics.audio(), topics.image())) {
            for (int p = 0; p < PARTITIONS; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
        }
        try (TopicAdmin admin = new TopicAdmin(bootstrapServers())) {
            Map<TopicPartition, Long> ends = new TreeMap<>(
                    Comparator.comparing(TopicPartition::toString));
            admin.admin().listOffsets(latest).all().get(30, TimeUnit.SECONDS)
                    .forEach((tp, info) -> ends.put(tp, info.offset()));
            return ends;
        }
    }

    /** Polls {@code condition} every 100 ms until it holds; fails after {@code timeout}. */
    static void await(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    /** Waits for a job to reach a terminal state (stopped, cancelled, failed or finished). */
    static JobStatus awaitTerminal(JobClient client, Duration timeout) throws Exception {
        try {
            client.getJobExecutionResult().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            // Cancelled or failed: the status says which.
        }
        return client.getJobStatus().get(10, TimeUnit.SECONDS);
    }

    private void cancelStartedJobs() throws Exception {
        for (JobClient client : startedJobs) {
            if (!client.getJobExecutionResult().isDone()
                    && !client.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                client.cancel().get(30, TimeUnit.SECONDS);
                awaitTerminal(client, Duration.ofSeconds(30));
            }
        }
        startedJobs.clear();
    }
}
