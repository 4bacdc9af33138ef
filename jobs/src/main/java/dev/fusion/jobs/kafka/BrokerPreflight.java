package dev.fusion.jobs.kafka;

import dev.fusion.jobs.config.ConfigException;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Start-up checks against the Kafka cluster, so that bad configuration fails at once with a
 * message naming the key: the cluster is reachable, the topics exist, the largest dead letter
 * {@code dlq.*} allows fits the dlq topic's {@code max.message.bytes}, and the sinks' transaction
 * timeout is within the broker's {@code transaction.max.timeout.ms}.
 */
public final class BrokerPreflight {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private BrokerPreflight() {
    }

    /** Runs every check; throws {@link ConfigException} on the first failure. */
    public static void check(FusionConfig config, Collection<String> topics) throws InterruptedException {
        String bootstrap = config.get(FusionOptions.BOOTSTRAP_SERVERS);
        try (TopicAdmin admin = new TopicAdmin(bootstrap)) {
            Collection<Node> nodes;
            try {
                nodes = admin.admin().describeCluster().nodes().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new ConfigException("cannot reach the Kafka cluster at "
                        + FusionOptions.BOOTSTRAP_SERVERS.key() + "=" + bootstrap + ": " + e, e);
            }
            checkTopics(admin, topics);
            checkDeadLettersFit(admin, config);
            if (config.get(FusionOptions.EXACTLY_ONCE)) {
                checkTransactionTimeout(admin, nodes, config.get(FusionOptions.TRANSACTION_TIMEOUT));
            }
        }
    }

    private static void checkTopics(TopicAdmin admin, Collection<String> topics) throws InterruptedException {
        Set<String> existing;
        try {
            existing = admin.admin().listTopics().names().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new ConfigException("cannot list topics: " + e, e);
        }
        List<String> missing = new ArrayList<>();
        for (String t : topics) {
            if (!existing.contains(t)) {
                missing.add(t);
            }
        }
        if (!missing.isEmpty()) {
            throw new ConfigException("topics " + missing + " do not exist (kafka.topics.*); create"
                    + " them, or start with --create-topics");
        }
    }

    private static void checkDeadLettersFit(TopicAdmin admin, FusionConfig config)
            throws InterruptedException {
        String topic = config.get(FusionOptions.TOPIC_DLQ);
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        ConfigEntry max;
        try {
            max = admin.admin().describeConfigs(List.of(resource)).all()
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).get(resource).get("max.message.bytes");
        } catch (ExecutionException | TimeoutException e) {
            throw new ConfigException("cannot read the configuration of topic " + topic + " ("
                    + FusionOptions.TOPIC_DLQ.key() + "): " + e, e);
        }
        if (max == null || max.value() == null) {
            return;
        }
        long allowed = Long.parseLong(max.value());
        int needed = KafkaIo.maxDeadLetterRecordBytes(config.deadLetters());
        if (needed > allowed) {
            int valueCap = config.get(FusionOptions.DLQ_MAX_VALUE_BYTES);
            long fitting = Math.max(0, allowed - (needed - valueCap));
            throw new ConfigException(FusionOptions.DLQ_MAX_VALUE_BYTES.key() + "=" + valueCap
                    + " and " + FusionOptions.DLQ_MAX_KEY_BYTES.key() + "="
                    + config.get(FusionOptions.DLQ_MAX_KEY_BYTES) + " allow dead-letter records of up to "
                    + needed + " bytes, above topic " + topic + "'s max.message.bytes of " + allowed
                    + ": lower " + FusionOptions.DLQ_MAX_VALUE_BYTES.key() + " to at most " + fitting
                    + " or raise the topic's max.message.bytes");
        }
    }

    private static void checkTransactionTimeout(TopicAdmin admin, Collection<Node> nodes, Duration timeout)
            throws InterruptedException {
        for (Node node : nodes) {
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, node.idString());
            Map<ConfigResource, Config> configs;
            try {
                configs = admin.admin().describeConfigs(List.of(broker)).all()
                        .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new ConfigException("cannot read broker " + node.idString() + "'s configuration: " + e, e);
            }
            ConfigEntry max = configs.get(broker).get("transaction.max.timeout.ms");
            if (max != null && max.value() != null && timeout.toMillis() > Long.parseLong(max.value())) {
                throw new ConfigException(FusionOptions.TRANSACTION_TIMEOUT.key() + " is "
                        + timeout.toMillis() + " ms, above broker " + node.idString()
                        + "'s transaction.max.timeout.ms of " + max.value() + " ms");
            }
        }
    }
}
