package dev.fusion.jobs.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusion.jobs.kafka.CheckedProducer;
import dev.fusion.jobs.kafka.TopicAdmin;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes form one cluster: topics of replication factor 3 through the project's own topic
 * creation, a partition leader killed with SIGKILL while the other two keep taking writes
 * ({@code acks=all}, {@code min.insync.replicas=2}), and the killed node back in sync after a
 * restart on its ports and data.
 */
class EmbeddedKafkaClusterITCase {

    @TempDir
    Path tempDir;

    @Test
    void survivesTheLossOfALeaderAndTakesItBack() throws Exception {
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.builder().nodes(3)
                .dir(tempDir.resolve("cluster"))
                .brokerProperties(Map.of("min.insync.replicas", "2")).start();
                TopicAdmin admin = new TopicAdmin(cluster.bootstrapServers())) {
            assertThat(cluster.nodeIds()).containsExactly(0, 1, 2);
            assertThat(cluster.bootstrapServers().split(",")).hasSize(3);
            admin.createTopics(Map.of("t", 1), 3, Duration.ofSeconds(30));
            TopicPartitionInfo partition = describe(admin, "t").partitions().get(0);
            assertThat(partition.replicas()).extracting(Node::id)
                    .containsExactlyInAnyOrder(0, 1, 2);
            produce(cluster.bootstrapServers(), "before-0", "before-1");

            int leader = partition.leader().id();
            long pid = cluster.pid(leader);
            cluster.kill(leader);
            assertThat(cluster.isRunning(leader)).isFalse();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as("node %d's JVM (pid %d) after kill", leader, pid).isFalse();
            // Two of three in sync still satisfy min.insync.replicas=2: writes go on.
            produce(cluster.bootstrapServers(), "during-0", "during-1");
            int newLeader = describe(admin, "t").partitions().get(0).leader().id();
            assertThat(newLeader).isNotEqualTo(leader);

            cluster.restart(leader);
            assertThat(cluster.isRunning(leader)).isTrue();
            awaitInSync(admin, "t", 3, Duration.ofSeconds(60));
            produce(cluster.bootstrapServers(), "after-0");
            assertThat(consumeAll(cluster.bootstrapServers(leader), "t", 5))
                    .containsExactly("before-0", "before-1", "during-0", "during-1", "after-0");
        }
    }

    @Test
    void aReplicationFactorAboveTheBrokerCountFailsNamingTheKey() throws Exception {
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.builder().nodes(1)
                .dir(tempDir.resolve("single")).start();
                TopicAdmin admin = new TopicAdmin(cluster.bootstrapServers())) {
            assertThatThrownBy(() -> admin.createTopics(Map.of("t", 1), 3, Duration.ofSeconds(30)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot create topic t with replication factor 3"
                            + " (kafka.topic-replication-factor)");
            admin.createTopics(Map.of("u", 2), Duration.ofSeconds(30));
            assertThat(describe(admin, "u").partitions()).extracting(p -> p.replicas().size())
                    .as("replicas with the brokers' default replication factor")
                    .containsExactly(1, 1);
        }
    }

    @Test
    void aNewClusterNeedsAnEmptyDirectory() throws Exception {
        Path dir = Files.createDirectories(tempDir.resolve("used"));
        Files.writeString(dir.resolve("left-over"), "x");
        assertThatThrownBy(() -> EmbeddedKafkaCluster.builder().nodes(1).dir(dir).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a new cluster needs an empty directory; " + dir + " holds files");
    }

    private static TopicDescription describe(TopicAdmin admin, String topic) throws Exception {
        return admin.admin().describeTopics(List.of(topic)).allTopicNames()
                .get(30, TimeUnit.SECONDS).get(topic);
    }

    private static void awaitInSync(TopicAdmin admin, String topic, int replicas, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (describe(admin, topic).partitions().stream()
                .anyMatch(p -> p.isr().size() < replicas)) {
            assertThat(System.nanoTime()).as("%s back to %d in sync within %s", topic, replicas,
                    timeout).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static void produce(String bootstrapServers, String... values) throws Exception {
        try (CheckedProducer producer = new CheckedProducer(bootstrapServers)) {
            for (String v : values) {
                producer.send("t", null, v.getBytes(StandardCharsets.UTF_8));
            }
            producer.flush();
        }
    }

    private static List<String> consumeAll(String bootstrapServers, String topic, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "check");
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props,
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }
}
