package dev.fusion.jobs.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.jobs.kafka.TopicAdmin;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The embedded broker is a real broker: topics, transactions, read_committed, cleanup. */
class EmbeddedKafkaBrokerITCase {

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

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
