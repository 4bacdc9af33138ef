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
import java.util.TreeSet;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Start-up checks against the Kafka cluster, so that bad configuration fails at once with a
 * message naming the key: the cluster is reachable and accepts the credentials, the topics exist
 * and the job's principal may READ the inputs and the consumer group, WRITE the outputs and use
 * the sinks' transactional ids, the
 * largest dead letter {@code dlq.*} allows fits the dlq topic's {@code max.message.bytes}, and the
 * sinks' transaction timeout is within the broker's {@code transaction.max.timeout.ms}.
 */
public final class BrokerPreflight {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerPreflight.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private BrokerPreflight() {
    }

    /**
     * Runs every check on {@code topics} (the configured output topics among them must be
     * writable, the others readable); throws {@link ConfigException} on the first failure.
     */
    public static void check(FusionConfig config, Collection<String> topics) throws InterruptedException {
        KafkaClientProperties clients = KafkaClientProperties.of(config);
        try (TopicAdmin admin = new TopicAdmin(clients)) {
            Collection<Node> nodes;
            try {
                nodes = admin.admin().describeCluster().nodes().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw unreachable(clients, e.getCause());
            } catch (TimeoutException e) {
                throw unreachable(clients, e);
            }
            checkTopics(admin, clients, config, topics);
            checkGroup(admin, clients, config);
            checkDeadLettersFit(admin, config);
            if (config.get(FusionOptions.EXACTLY_ONCE)) {
                checkTransactionalIds(admin, config);
                checkTransactionTimeout(admin, nodes, config.get(FusionOptions.TRANSACTION_TIMEOUT));
            }
        }
    }

    /**
     * Fails unless the cluster is reachable and every topic of {@code keyByTopic} exists; the
     * message names the configuration key of each missing topic. For the tools that write to the
     * job's inputs, which would otherwise wait for the topics' metadata until the producer's
     * {@code max.block.ms}.
     */
    public static void requireTopics(KafkaClientProperties clients, Map<String, String> keyByTopic)
            throws InterruptedException {
        try (TopicAdmin admin = new TopicAdmin(clients)) {
            Set<String> existing;
            try {
                existing = admin.admin().listTopics().names().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw unreachable(clients, e.getCause());
            } catch (TimeoutException e) {
                throw unreachable(clients, e);
            }
            List<String> missing = keyByTopic.entrySet().stream()
                    .filter(e -> !existing.contains(e.getKey()))
                    .map(e -> e.getKey() + " (" + e.getValue() + ")").sorted().toList();
            if (!missing.isEmpty()) {
                throw new ConfigException("topics " + missing + " do not exist at "
                        + FusionOptions.BOOTSTRAP_SERVERS.key() + "=" + clients.bootstrapServers()
                        + ": create them (./fusion run --create-topics does), or name the existing"
                        + " ones with those keys");
            }
        }
    }

    private static ConfigException unreachable(KafkaClientProperties clients, Throwable cause) {
        String at = FusionOptions.BOOTSTRAP_SERVERS.key() + "=" + clients.bootstrapServers();
        String detail = clients.redact(String.valueOf(cause.getMessage()));
        if (cause instanceof SaslAuthenticationException) {
            return new ConfigException("the Kafka cluster at " + at + " refused the credentials in "
                    + KafkaClientProperties.PREFIX + SaslConfigs.SASL_JAAS_CONFIG + " ("
                    + KafkaClientProperties.PREFIX + SaslConfigs.SASL_MECHANISM + "="
                    + clients.user().getOrDefault(SaslConfigs.SASL_MECHANISM, "GSSAPI") + "): "
                    + detail);
        }
        if (cause instanceof SslAuthenticationException) {
            return new ConfigException("TLS with the Kafka cluster at " + at + " failed: check "
                    + KafkaClientProperties.PREFIX + "ssl.truststore.* (the broker's certificate"
                    + " must be trusted) and " + KafkaClientProperties.PREFIX
                    + CommonClientConfigs.SECURITY_PROTOCOL_CONFIG + ": " + detail);
        }
        // A client error's type and message only: its cause chain may quote the configuration.
        return new ConfigException("cannot reach the Kafka cluster at " + at + ": "
                + cause.getClass().getName() + ": " + detail);
    }

    private static void checkTopics(TopicAdmin admin, KafkaClientProperties clients,
            FusionConfig config, Collection<String> topics) throws InterruptedException {
        Set<String> outputs = Set.of(config.get(FusionOptions.TOPIC_FUSED),
                config.get(FusionOptions.TOPIC_DLQ), config.get(FusionOptions.TOPIC_DROPPED));
        DescribeTopicsOptions withOperations =
                new DescribeTopicsOptions().includeAuthorizedOperations(true);
        Map<String, KafkaFuture<TopicDescription>> described =
                admin.admin().describeTopics(topics, withOperations).topicNameValues();
        List<String> missing = new ArrayList<>();
        for (String topic : topics) {
            TopicDescription d;
            try {
                d = described.get(topic).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    missing.add(topic);
                    continue;
                }
                if (e.getCause() instanceof TopicAuthorizationException) {
                    AclOperation needed =
                            outputs.contains(topic) ? AclOperation.WRITE : AclOperation.READ;
                    throw new ConfigException("the job's principal is not authorized to " + needed
                            + " topic " + topic + " (it may not even DESCRIBE it): grant it "
                            + needed
                            + ", or use a principal that has it (" + KafkaClientProperties.PREFIX
                            + SaslConfigs.SASL_JAAS_CONFIG + ")");
                }
                throw new ConfigException("cannot describe topic " + topic + ": "
                        + clients.redact(String.valueOf(e.getCause().getMessage())), e.getCause());
            } catch (TimeoutException e) {
                throw new ConfigException("cannot describe topic " + topic + " within " + TIMEOUT,
                        e);
            }
            if (outputs.contains(topic)) {
                requireOperation(d.authorizedOperations(), AclOperation.WRITE, "topic " + topic);
            } else {
                requireOperation(d.authorizedOperations(), AclOperation.READ, "topic " + topic);
            }
            if (topic.equals(config.get(FusionOptions.TOPIC_DLQ))) {
                requireOperation(d.authorizedOperations(), AclOperation.DESCRIBE_CONFIGS,
                        "topic " + topic + " (its max.message.bytes is checked against dlq.*)");
            }
        }
        if (!missing.isEmpty()) {
            throw new ConfigException("topics " + missing + " do not exist (kafka.topics.*); create"
                    + " them, or start with --create-topics");
        }
    }

    private static void checkGroup(TopicAdmin admin, KafkaClientProperties clients,
            FusionConfig config) throws InterruptedException {
        String group = config.get(FusionOptions.GROUP_ID);
        String what = "consumer group " + group + " (" + FusionOptions.GROUP_ID.key() + ")";
        ConsumerGroupDescription d;
        try {
            d = admin.admin().describeConsumerGroups(List.of(group),
                            new DescribeConsumerGroupsOptions().includeAuthorizedOperations(true))
                    .describedGroups().get(group).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupAuthorizationException) {
                throw new ConfigException("the job's principal is not authorized to READ " + what
                        + ": grant it READ on the group");
            }
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return;
            }
            throw new ConfigException("cannot describe " + what + ": "
                    + clients.redact(String.valueOf(e.getCause().getMessage())), e.getCause());
        } catch (TimeoutException e) {
            throw new ConfigException("cannot describe " + what + " within " + TIMEOUT, e);
        }
        requireOperation(d.authorizedOperations(), AclOperation.READ, what);
    }

    /**
     * Fails unless the principal may use the sinks' transactional ids: a transaction of an id
     * under the prefix is described, which needs DESCRIBE on it (WRITE includes it).
     */
    private static void checkTransactionalIds(TopicAdmin admin, FusionConfig config)
            throws InterruptedException {
        String prefix = config.get(FusionOptions.TRANSACTIONAL_ID_PREFIX);
        String probe = prefix + "-fused-preflight";
        try {
            admin.admin().describeTransactions(List.of(probe)).description(probe)
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TransactionalIdAuthorizationException) {
                throw new ConfigException("the job's principal is not authorized to WRITE"
                        + " transactional ids " + prefix + "-* ("
                        + FusionOptions.TRANSACTIONAL_ID_PREFIX.key() + "): grant it WRITE on"
                        + " TRANSACTIONAL_ID with the prefix " + prefix
                        + " (pattern type PREFIXED)");
            }
            if (!(e.getCause() instanceof TransactionalIdNotFoundException)) {
                throw new ConfigException("cannot check the transactional ids " + prefix + "-* ("
                        + FusionOptions.TRANSACTIONAL_ID_PREFIX.key() + "): "
                        + admin.redact(String.valueOf(e.getCause())), e.getCause());
            }
        } catch (TimeoutException e) {
            throw new ConfigException("cannot check the transactional ids " + prefix + "-* within "
                    + TIMEOUT, e);
        }
    }

    /** Fails unless {@code operation} is authorized; null means the broker did not say. */
    private static void requireOperation(Set<AclOperation> authorized, AclOperation operation,
            String resource) {
        if (authorized == null || authorized.contains(operation)
                || authorized.contains(AclOperation.ALL)) {
            return;
        }
        throw new ConfigException("the job's principal is not authorized to " + operation + " "
                + resource + " (it may " + new TreeSet<>(authorized) + "): grant it " + operation
                + ", or use a principal that has it (" + KafkaClientProperties.PREFIX
                + SaslConfigs.SASL_JAAS_CONFIG + ")");
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
                    + FusionOptions.TOPIC_DLQ.key() + "): " + admin.redact(String.valueOf(e)), e);
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
                if (e.getCause() instanceof ClusterAuthorizationException) {
                    LOG.warn("cannot check {} against the broker's transaction.max.timeout.ms: the"
                            + " job's principal may not DESCRIBE_CONFIGS the cluster",
                            FusionOptions.TRANSACTION_TIMEOUT.key());
                    return;
                }
                throw new ConfigException("cannot read broker " + node.idString()
                        + "'s configuration: " + admin.redact(String.valueOf(e)), e);
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
