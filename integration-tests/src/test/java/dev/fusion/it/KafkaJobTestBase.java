package dev.fusion.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.jobs.FusionEnvironment;
import dev.fusion.jobs.FusionJob;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.embedded.EmbeddedKafkaBroker;
import dev.fusion.jobs.kafka.KafkaFusionIo;
import dev.fusion.jobs.kafka.TopicAdmin;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
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

    @BeforeEach
    void createTopics() throws Exception {
        topics = new Topics("t" + TEST_NUMBER.incrementAndGet());
        try (TopicAdmin admin = new TopicAdmin(broker.bootstrapServers())) {
            admin.createTopics(topics.partitions(PARTITIONS), Duration.ofSeconds(30));
        }
    }

    @AfterEach
    void noProducerThreadLeaks() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        List<String> leaked = producerThreads();
        while (!leaked.isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
            leaked = producerThreads();
        }
        assertThat(leaked).as("Kafka producer threads still alive after the test").isEmpty();
    }

    /** Job configuration for this test's topics and broker, plus {@code overrides}. */
    FusionConfig config(Map<String, String> overrides) {
        Map<String, String> all = new HashMap<>(topics.configuration());
        all.put("kafka.bootstrap-servers", broker.bootstrapServers());
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
        StreamExecutionEnvironment env = FusionEnvironment.configure(
                StreamExecutionEnvironment.getExecutionEnvironment(FusionEnvironment.baseConfiguration()),
                config);
        KafkaFusionIo io = new KafkaFusionIo(config, true);
        new FusionJob(config, Clock.systemUTC()).build(env, io, io);
        env.execute("it-" + topics.suffix());
    }

    private static List<String> producerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith("kafka-producer-network-thread"))
                .toList();
    }
}
