package dev.fusion.jobs.kafka;

import dev.fusion.jobs.config.FusionOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates topics and waits until every partition has a leader. Producing right after
 * {@code createTopics} can silently lose a record on Kafka 4.2 (PLATFORM.md), so nothing here
 * returns before the partitions are ready.
 */
public final class TopicAdmin implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TopicAdmin.class);

    private final Admin admin;
    private final KafkaClientProperties clients;

    /** An admin client of an unsecured cluster. */
    public TopicAdmin(String bootstrapServers) {
        this(KafkaClientProperties.plain(bootstrapServers));
    }

    /** An admin client with the user's client properties ({@code kafka.properties.*}). */
    public TopicAdmin(KafkaClientProperties clients) {
        this.clients = clients;
        this.admin = Admin.create(clients.withDefaults(
                Map.of(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000")));
    }

    /**
     * Creates each missing topic with its partition count and the brokers' default replication
     * factor, and waits for leaders.
     */
    public void createTopics(Map<String, Integer> partitionsByTopic, Duration timeout)
            throws InterruptedException {
        createTopics(partitionsByTopic, FusionOptions.BROKER_DEFAULT_REPLICATION, timeout);
    }

    /**
     * Creates each missing topic with its partition count and {@code replicationFactor} (-1: the
     * brokers' {@code default.replication.factor}), and waits for leaders; a topic that exists is
     * left as it is.
     */
    public void createTopics(Map<String, Integer> partitionsByTopic, int replicationFactor,
            Duration timeout) throws InterruptedException {
        Optional<Short> replication = replicationFactor == FusionOptions.BROKER_DEFAULT_REPLICATION
                ? Optional.empty() : Optional.of((short) replicationFactor);
        List<NewTopic> topics = new ArrayList<>();
        partitionsByTopic.forEach((name, partitions) ->
                topics.add(new NewTopic(name, Optional.of(partitions), replication)));
        for (var entry : admin.createTopics(topics).values().entrySet()) {
            try {
                entry.getValue().get();
                LOG.info("created topic {} (replication factor {})", entry.getKey(),
                        replication.map(String::valueOf).orElse("of the brokers' default"));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + entry.getKey()
                            + replication.map(r -> " with replication factor " + r + " ("
                                    + FusionOptions.TOPIC_REPLICATION_FACTOR.key() + ")")
                                    .orElse("")
                            + ": " + redact(e.getCause().getMessage()), e.getCause());
                }
            }
        }
        awaitLeaders(partitionsByTopic.keySet(), timeout);
    }

    /** Blocks until every partition of {@code topics} has a leader, or fails after {@code timeout}. */
    public void awaitLeaders(Set<String> topics, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String waitingFor = "";
        while (System.nanoTime() < deadline) {
            waitingFor = partitionsWithoutLeader(topics);
            if (waitingFor.isEmpty()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("partitions without a leader after " + timeout + ": " + waitingFor);
    }

    private String partitionsWithoutLeader(Set<String> topics) throws InterruptedException {
        Map<String, TopicDescription> descriptions;
        try {
            descriptions = admin.describeTopics(topics).allTopicNames().get();
        } catch (ExecutionException e) {
            return "(describe failed: " + redact(e.getCause().getMessage()) + ")";
        }
        StringBuilder missing = new StringBuilder();
        for (TopicDescription d : descriptions.values()) {
            for (TopicPartitionInfo p : d.partitions()) {
                if (p.leader() == null || p.leader().isEmpty()) {
                    missing.append(d.name()).append('-').append(p.partition()).append(' ');
                }
            }
        }
        return missing.toString().trim();
    }

    /** {@code text} without this client's secrets ({@link KafkaClientProperties#redact}). */
    public String redact(String text) {
        return clients.redact(String.valueOf(text));
    }

    /** The underlying admin client, for callers that need more. */
    public Admin admin() {
        return admin;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
