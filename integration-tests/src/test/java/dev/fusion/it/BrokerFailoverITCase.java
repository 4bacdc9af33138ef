package dev.fusion.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import dev.fusion.jobs.embedded.EmbeddedKafkaCluster;
import dev.fusion.jobs.kafka.TopicAdmin;
import dev.fusion.schemas.AlignmentPolicy;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.Modality;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ElectionNotNeededException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Three Kafka brokers, each a JVM of its own; topics of replication factor 3 with
 * {@code min.insync.replicas=2}, made by the project's own topic creation
 * ({@code kafka.topic-replication-factor}). While live traffic flows, the node that is the active
 * controller and leads an input partition of every modality, both fused output partitions and
 * every {@code __transaction_state} partition (so it coordinates the sinks' transactions) is
 * killed with SIGKILL. Output must flow again on the two brokers left; the killed broker is then started
 * again, catches up, and takes its leadership back, as Kafka's automatic leader rebalance would
 * do, under traffic too. The committed ({@code read_committed}) outputs account for every event
 * sent exactly once.
 *
 * <p>The killed broker comes back because a real one does (a supervisor restarts it), and so the
 * test also covers a broker that rejoins after an unclean stop, and a second leader change.
 */
class BrokerFailoverITCase extends KafkaJobTestBase {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerFailoverITCase.class);

    static final int NODES = 3;
    static final String TRANSACTION_STATE = "__transaction_state";
    static final int SAMPLES_PER_SECOND = 30;
    static final int ENTITIES = 24;
    /** Source ids visible in committed output before the kill: the job is in full flow. */
    static final int FLOWING = 300;

    static EmbeddedKafkaCluster cluster;

    private final List<AutoCloseable> closeAfterTest = new ArrayList<>();
    private String probeKey;

    /**
     * Supersedes the base class's single broker (which then starts none). The nodes' data and
     * logs stay in target/broker-failover until the next run, for a failed run to be read.
     */
    @BeforeAll
    static void startBroker() throws Exception {
        Path dir = Path.of("target", "broker-failover");
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        cluster = EmbeddedKafkaCluster.builder().nodes(NODES).dir(dir)
                .brokerProperties(Map.of("min.insync.replicas", "2"))
                .start();
        createTransactionStateTopic();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** This test's topics, made as {@code run --create-topics} makes them. */
    @Override
    @BeforeEach
    void createTopics() throws Exception {
        topics = new Topics("failover" + System.nanoTime());
        int replication = failoverConfig().get(FusionOptions.TOPIC_REPLICATION_FACTOR);
        try (TopicAdmin admin = new TopicAdmin(bootstrapServers())) {
            admin.createTopics(topics.partitions(PARTITIONS), replication, Duration.ofSeconds(30));
        }
    }

    /** A failed test leaves no traffic nor reader running (the base class checks producers). */
    @AfterEach
    void stopTrafficAndRemoveProbe() throws Exception {
        try {
            for (int i = closeAfterTest.size() - 1; i >= 0; i--) {
                try {
                    closeAfterTest.get(i).close();
                } catch (Exception | AssertionError e) {
                    // The test's own failure says more; the rest must still be closed.
                    LOG.warn("clean-up after the test failed: {}", e.toString());
                }
            }
        } finally {
            closeAfterTest.clear();
            InjectionProbe.remove(probeKey);
        }
    }

    /** The job's configuration as a user of this cluster would write it. */
    private FusionConfig failoverConfig() {
        // Idleness longer than the test: no partition whose leader is away may turn idle (its
        // records would then come LATE), and the drain must fire every window (FLINK-40499).
        return config(Map.of("align.policy", "window", "align.window", "1 s",
                "watermarks.idleness", "10 min",
                FusionOptions.TOPIC_REPLICATION_FACTOR.key(), String.valueOf(NODES)));
    }

    @Test
    void killingTheLeaderOfInputOutputAndTransactionsLosesAndDuplicatesNothing(
            @TempDir Path savepoints) throws Exception {
        FusionConfig config = failoverConfig();
        assertThat(config.get(FusionOptions.BOOTSTRAP_SERVERS).split(",")).hasSize(NODES);
        try (TopicAdmin topicAdmin = new TopicAdmin(bootstrapServers())) {
            Admin admin = topicAdmin.admin();
            assertReplicatedAsAUserWants(admin);

            // The active controller too: the quorum elects a new one before it can move leaders.
            int victim = admin.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS)
                    .leaderId();
            List<TopicPartition> led = ledByVictim(admin);
            lead(admin, victim, led);
            assertThat(leaders(admin, topicsOf(led))).as("leaders before the kill")
                    .containsAllEntriesOf(allLedBy(led, victim));
            assertThat(admin.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS)
                    .leaderId()).as("active controller before the kill").isEqualTo(victim);

            probeKey = "failover/" + topics.suffix();
            InjectionProbe probe = InjectionProbe.create(probeKey);
            Map<Modality, FailureInjectorFunction> observers = new EnumMap<>(Modality.class);
            for (Modality m : Modality.values()) {
                observers.put(m, FailureInjectorFunction.observe(probeKey,
                        "inject-" + m.name().toLowerCase(Locale.ROOT)));
            }
            JobClient job = start(config, new Configuration(), false,
                    io -> new InjectingSources(io, observers));
            CommittedOutputWatcher watcher = new CommittedOutputWatcher(bootstrapServers(),
                    topics.fused(), 2);
            closeAfterTest.add(watcher);
            LiveTraffic traffic = new LiveTraffic(bootstrapServers(), topics, SAMPLES_PER_SECOND,
                    ENTITIES, "f-");
            traffic.start();
            closeAfterTest.add(traffic::stop);
            await(FLOWING + " source ids in committed fused output", Duration.ofSeconds(120),
                    () -> watcher.visible() >= FLOWING);

            // The kill: the broker's JVM is gone at once, with whatever it had not flushed.
            Set<String> sentBeforeKill = traffic.sentIds();
            long killedAt = System.currentTimeMillis();
            cluster.kill(victim);
            await("new leaders of the partitions node " + victim + " led",
                    Duration.ofSeconds(60), () -> leaders(admin, topicsOf(led)).entrySet().stream()
                            .filter(e -> led.contains(e.getKey()))
                            .noneMatch(e -> e.getValue() == victim || e.getValue() < 0));
            long newLeadersAt = System.currentTimeMillis();
            await("committed output of input sent after the kill", Duration.ofSeconds(120),
                    () -> watcher.firstVisibleNotIn(sentBeforeKill) > 0);
            long flowingAgainAt = watcher.firstVisibleNotIn(sentBeforeKill);
            long firstOutputAfterKill = watcher.firstVisibleFrom(killedAt);

            // A supervisor restarts the broker: it recovers its logs, catches up, rejoins.
            long restartedAt = System.currentTimeMillis();
            cluster.restart(victim);
            awaitInSync(admin, topicsOf(led), Duration.ofSeconds(120));
            long inSyncAt = System.currentTimeMillis();
            Set<String> sentBeforeReturn = traffic.sentIds();
            lead(admin, victim, led);
            long leaderAgainAt = System.currentTimeMillis();
            await("committed output of input sent after node " + victim + " led again",
                    Duration.ofSeconds(120),
                    () -> watcher.firstVisibleNotIn(sentBeforeReturn) > 0);
            long flowingAfterReturnAt = watcher.firstVisibleNotIn(sentBeforeReturn);

            List<String> sent = traffic.stop();
            closeAfterTest.remove(closeAfterTest.size() - 1);
            awaitInputConsumed(config, Duration.ofSeconds(120));
            // Drain: the final watermark fires the windows still open, the savepoint commits them.
            job.stopWithSavepoint(true, savepoints.toUri().toString(),
                    SavepointFormatType.CANONICAL).get(120, TimeUnit.SECONDS);
            assertThat(awaitTerminal(job, Duration.ofSeconds(60))).isEqualTo(JobStatus.FINISHED);

            Outputs out = readOutputs();
            int restarts = probe.attemptsBySubtask().values().stream()
                    .mapToInt(a -> a.stream().mapToInt(Integer::intValue).max().orElse(0))
                    .max().orElse(0);
            LOG.info("broker failover: killed node {} (active controller, leader of {}); new"
                    + " leaders {} ms after the kill, first committed output {} ms after it, output"
                    + " of input sent after it {} ms after it; restarted, in sync in {} ms, leader again {} ms later,"
                    + " its output {} ms after that; {} job restarts; {}", victim, led,
                    newLeadersAt - killedAt, firstOutputAfterKill - killedAt,
                    flowingAgainAt - killedAt, inSyncAt - restartedAt, leaderAgainAt - inSyncAt,
                    flowingAfterReturnAt - leaderAgainAt, restarts, counts(sent, out));
            assertThat(sent.size()).as("events sent").isGreaterThan(1000);
            assertThat(sent).as("events sent after the kill")
                    .anyMatch(id -> !sentBeforeKill.contains(id));
            assertThat(out.deadLetters()).as("dead letters").isEmpty();
            Accounting.assertExact(sent, out.fused(), out.deadLetters(), out.dropped());
        }
    }

    /** RF 3 for every topic of the job, min.insync.replicas=2, nothing else taken for granted. */
    private void assertReplicatedAsAUserWants(Admin admin) throws Exception {
        List<String> names = new ArrayList<>(topics.partitions(PARTITIONS).keySet());
        names.add(TRANSACTION_STATE);
        for (TopicDescription d : describe(admin, names).values()) {
            assertThat(d.partitions()).as("partitions of %s", d.name())
                    .allSatisfy(p -> assertThat(p.replicas()).hasSize(NODES));
        }
        ConfigResource fused = new ConfigResource(ConfigResource.Type.TOPIC, topics.fused());
        Config fusedConfig = admin.describeConfigs(List.of(fused)).all()
                .get(30, TimeUnit.SECONDS).get(fused);
        assertThat(fusedConfig.get("min.insync.replicas").value())
                .as("min.insync.replicas of %s", topics.fused()).isEqualTo("2");
    }

    /**
     * What the victim is to lead: partition 0 of each input topic, every output partition, and
     * every transaction state partition.
     */
    private List<TopicPartition> ledByVictim(Admin admin) throws Exception {
        List<TopicPartition> led = new ArrayList<>();
        for (String input : List.of(topics.text(), topics.audio(), topics.image())) {
            led.add(new TopicPartition(input, 0));
        }
        for (String output : List.of(topics.fused(), topics.dlq(), topics.dropped(),
                TRANSACTION_STATE)) {
            for (TopicPartitionInfo p : describe(admin, List.of(output)).get(output)
                    .partitions()) {
                led.add(new TopicPartition(output, p.partition()));
            }
        }
        return led;
    }

    /**
     * Makes {@code node} the preferred replica (first in the replica list, the same replicas) and
     * then the leader of every partition of {@code partitions}, as an operator would with
     * kafka-reassign-partitions and kafka-leader-election.
     */
    private static void lead(Admin admin, int node, List<TopicPartition> partitions)
            throws Exception {
        Map<String, TopicDescription> described = describe(admin, topicsOf(partitions));
        Map<TopicPartition, Optional<NewPartitionReassignment>> reorder = new HashMap<>();
        for (TopicPartition tp : partitions) {
            List<Integer> replicas = new ArrayList<>(described.get(tp.topic()).partitions()
                    .get(tp.partition()).replicas().stream().map(Node::id).toList());
            if (replicas.get(0) != node) {
                replicas.remove(Integer.valueOf(node));
                replicas.add(0, node);
                reorder.put(tp, Optional.of(new NewPartitionReassignment(replicas)));
            }
        }
        if (!reorder.isEmpty()) {
            admin.alterPartitionReassignments(reorder).all().get(30, TimeUnit.SECONDS);
            await("the replica order of " + reorder.keySet(), Duration.ofSeconds(60),
                    () -> admin.listPartitionReassignments().reassignments()
                            .get(30, TimeUnit.SECONDS).isEmpty());
        }
        await("node " + node + " to lead " + partitions, Duration.ofSeconds(60), () -> {
            Map<TopicPartition, Integer> leaders = leaders(admin, topicsOf(partitions));
            Set<TopicPartition> elsewhere = new TreeSet<>(
                    Comparator.comparing(TopicPartition::toString));
            partitions.stream().filter(tp -> leaders.get(tp) != node).forEach(elsewhere::add);
            if (elsewhere.isEmpty()) {
                return true;
            }
            try {
                admin.electLeaders(ElectionType.PREFERRED, elsewhere).all()
                        .get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof ElectionNotNeededException)) {
                    LOG.info("preferred leader election of {}: {}", elsewhere, e.getCause()
                            .toString());
                }
            }
            return false;
        });
    }

    /** Waits until every partition of {@code topicNames} has all its replicas in sync. */
    private static void awaitInSync(Admin admin, Collection<String> topicNames, Duration timeout)
            throws Exception {
        await("every replica of " + topicNames + " in sync", timeout,
                () -> describe(admin, topicNames).values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .allMatch(p -> p.isr().size() == p.replicas().size()));
    }

    /** The leader of every partition of {@code topicNames}; -1 where there is none. */
    private static Map<TopicPartition, Integer> leaders(Admin admin, Collection<String> topicNames)
            throws Exception {
        Map<TopicPartition, Integer> leaders = new HashMap<>();
        describe(admin, topicNames).forEach((name, d) -> d.partitions().forEach(p ->
                leaders.put(new TopicPartition(name, p.partition()),
                        p.leader() == null || p.leader().isEmpty() ? -1 : p.leader().id())));
        return leaders;
    }

    private static Map<String, TopicDescription> describe(Admin admin,
            Collection<String> topicNames) throws Exception {
        return admin.describeTopics(topicNames).allTopicNames().get(30, TimeUnit.SECONDS);
    }

    private static Set<String> topicsOf(Collection<TopicPartition> partitions) {
        Set<String> names = new TreeSet<>();
        partitions.forEach(tp -> names.add(tp.topic()));
        return names;
    }

    private static Map<TopicPartition, Integer> allLedBy(List<TopicPartition> partitions,
            int node) {
        Map<TopicPartition, Integer> expected = new HashMap<>();
        partitions.forEach(tp -> expected.put(tp, node));
        return expected;
    }

    /** sent / fused / dlq / dropped / missing / duplicated, for the log line. */
    private static String counts(List<String> sent, Outputs out) {
        Map<String, Integer> accounted = new TreeMap<>();
        for (FusedEvent f : out.fused()) {
            if (f.getAlignment() == AlignmentPolicy.LATEST) {
                accounted.merge(f.getTriggerEventId(), 1, Integer::sum);
            } else {
                f.getSourceEventIds().forEach(id -> accounted.merge(id, 1, Integer::sum));
            }
        }
        out.deadLetters().forEach(d -> accounted.merge(d.getEventId(), 1, Integer::sum));
        out.dropped().forEach(d -> accounted.merge(d.getEventId(), 1, Integer::sum));
        long fusedInputs = out.fused().stream().mapToLong(f -> f.getSourceEventIds().size()).sum();
        long missing = sent.stream().filter(id -> !accounted.containsKey(id)).count();
        long duplicated = accounted.values().stream().filter(n -> n > 1).count();
        return "sent " + sent.size() + ", fused " + fusedInputs + " (in " + out.fused().size()
                + " fusions), dlq " + out.deadLetters().size() + ", dropped "
                + out.dropped().size() + ", missing " + missing + ", duplicated " + duplicated;
    }

    /**
     * Kafka makes {@code __transaction_state} when a transactional producer first looks for its
     * coordinator: made here, before the job, so that the test can place its leaders.
     */
    private static void createTransactionStateTopic() throws Exception {
        Map<String, Object> props = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "failover-init");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props,
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
        }
        try (TopicAdmin admin = new TopicAdmin(cluster.bootstrapServers())) {
            admin.awaitLeaders(Set.of(TRANSACTION_STATE), Duration.ofSeconds(60));
        }
    }
}
