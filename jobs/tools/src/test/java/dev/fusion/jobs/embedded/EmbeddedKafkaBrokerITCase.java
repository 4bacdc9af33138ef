package dev.fusion.jobs.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.jobs.kafka.CheckedProducer;
import dev.fusion.jobs.kafka.TopicAdmin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker is a real broker: topics, transactions, read_committed, cleanup; it listens
 * and advertises where it is told, takes extra settings, and comes back after a stop on the same
 * port with its data.
 */
class EmbeddedKafkaBrokerITCase {

    @TempDir
    Path tempDir;

    @Test
    void listensOnTheGivenPortAndRestartsThereWithItsData() throws Exception {
        int port = LocalPorts.freePort();
        Path dataDir = tempDir.resolve("kafka");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().host("127.0.0.1")
                .port(port).dataDir(dataDir).start()) {
            assertThat(broker.bootstrapServers()).isEqualTo("127.0.0.1:" + port);
            assertThat(broker.port()).isEqualTo(port);
            assertThat(broker.dataDir()).isEqualTo(dataDir);
            // Clients are told to come back to exactly the address they were given.
            assertThat(advertised(broker.bootstrapServers())).isEqualTo("127.0.0.1:" + port);
            try (TopicAdmin admin = new TopicAdmin(broker.bootstrapServers())) {
                admin.createTopics(Map.of("t", 2), Duration.ofSeconds(30));
            }
            produce(broker.bootstrapServers(), "before-0", "before-1", "before-2");

            broker.stop();
            assertThat(broker.isRunning()).isFalse();
            assertThat(accepts(port)).as("port %d accepts connections while stopped", port)
                    .isFalse();

            broker.restart();
            assertThat(broker.isRunning()).isTrue();
            assertThat(broker.bootstrapServers()).isEqualTo("127.0.0.1:" + port);
            produce(broker.bootstrapServers(), "after-0");
            assertThat(readAll(broker.bootstrapServers(), 4))
                    .containsExactlyInAnyOrder("before-0", "before-1", "before-2", "after-0");
        }
        // The caller's data directory is theirs: kept, and a new broker on it finds the topic.
        assertThat(dataDir.resolve("meta.properties")).exists();
        try (EmbeddedKafkaBroker again = EmbeddedKafkaBroker.builder().port(port)
                .dataDir(dataDir).start()) {
            assertThat(again.bootstrapServers()).isEqualTo("localhost:" + port);
            assertThat(readAll(again.bootstrapServers(), 4))
                    .containsExactlyInAnyOrder("before-0", "before-1", "before-2", "after-0");
        }
    }

    @Test
    void extraBrokerPropertiesApply() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(
                Map.of("message.max.bytes", String.valueOf(8 * 1024 * 1024)));
                Admin admin = Admin.create(broker.clientProperties())) {
            ConfigResource node = new ConfigResource(ConfigResource.Type.BROKER, "0");
            Config config = admin.describeConfigs(List.of(node)).all().get(30, TimeUnit.SECONDS)
                    .get(node);
            assertThat(config.get("message.max.bytes").value()).isEqualTo("8388608");
            assertThat(config.get("auto.create.topics.enable").value()).isEqualTo("false");
            assertThat(config.get("transaction.max.timeout.ms").value())
                    .isEqualTo(String.valueOf(EmbeddedKafkaBroker.TRANSACTION_MAX_TIMEOUT_MS));
        }
    }

    @Test
    void transactionalRecordsRoundTripAndTheDataDirIsRemoved() throws Exception {
        Path dataDir;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            dataDir = broker.dataDir();
            assertThat(broker.bootstrapServers()).startsWith("localhost:");
            try (TopicAdmin admin = new TopicAdmin(broker.bootstrapServers())) {
                admin.createTopics(Map.of("t", 3), Duration.ofSeconds(30));
                // Creating it again is not an error.
                admin.createTopics(Map.of("t", 3), Duration.ofSeconds(30));
                assertThat(admin.admin().describeTopics(List.of("t")).allTopicNames().get()
                        .get("t").partitions()).hasSize(3);
            }
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-tx");
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.initTransactions();
                producer.beginTransaction();
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>("t", bytes("k" + i), bytes("v" + i))).get();
                }
                producer.commitTransaction();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("t", bytes("aborted"), bytes("x"))).get();
                producer.abortTransaction();
            }
            Properties c = new Properties();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            c.put(ConsumerConfig.GROUP_ID_CONFIG, "it");
            List<String> values = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> consumer =
                    new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of("t"));
                long deadline = System.currentTimeMillis() + 30_000;
                while (values.size() < 10 && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        values.add(new String(r.value(), StandardCharsets.UTF_8));
                    }
                }
                // Give an aborted record the chance to show up if read_committed were broken.
                consumer.poll(Duration.ofMillis(500)).forEach(
                        r -> values.add(new String(r.value(), StandardCharsets.UTF_8)));
            }
            assertThat(values).containsExactlyInAnyOrder("v0", "v1", "v2", "v3", "v4", "v5", "v6",
                    "v7", "v8", "v9");
        }
        assertThat(Files.exists(dataDir)).isFalse();
    }

    /** The address the broker advertises for itself in the cluster metadata. */
    private static String advertised(String bootstrapServers) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            Node node = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).iterator().next();
            return node.host() + ":" + node.port();
        }
    }

    private static void produce(String bootstrapServers, String... values) throws Exception {
        try (CheckedProducer producer = new CheckedProducer(bootstrapServers)) {
            for (String v : values) {
                producer.send("t", bytes(v), bytes(v));
            }
            producer.flush();
        }
    }

    /** Reads topic t from the start until {@code expected} records came, plus a short wait. */
    private static List<String> readAll(String bootstrapServers, int expected) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "read-" + System.nanoTime());
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("t"));
            long deadline = System.currentTimeMillis() + 30_000;
            while (values.size() < expected && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200))
                        .forEach(r -> values.add(new String(r.value(), StandardCharsets.UTF_8)));
            }
            consumer.poll(Duration.ofMillis(300))
                    .forEach(r -> values.add(new String(r.value(), StandardCharsets.UTF_8)));
        }
        return values;
    }

    private static boolean accepts(int port) {
        return LocalPorts.accepts("127.0.0.1", port);
    }


    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
