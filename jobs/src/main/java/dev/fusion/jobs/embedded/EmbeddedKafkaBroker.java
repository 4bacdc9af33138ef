package dev.fusion.jobs.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) in this JVM, on
 * loopback, with its data in a temporary directory removed on close.
 *
 * <p>It wraps Kafka's own test kit, an internal API, so that no other class depends on it.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    /** Longest transaction the broker accepts; the job's transaction timeout must stay below. */
    public static final long TRANSACTION_MAX_TIMEOUT_MS = 15 * 60 * 1000L;

    private final KafkaClusterTestKit cluster;
    private final Path dataDir;
    private boolean closed;

    private EmbeddedKafkaBroker(KafkaClusterTestKit cluster, Path dataDir) {
        this.cluster = cluster;
        this.dataDir = dataDir;
    }

    /** Formats and starts a broker on a free port; returns once it accepts clients. */
    public static EmbeddedKafkaBroker start() throws Exception {
        return start(0);
    }

    /** As {@link #start()}, listening for clients on {@code port} (0: any free port). */
    public static EmbeddedKafkaBroker start(int port) throws Exception {
        return start(port, Map.of());
    }

    /**
     * As {@link #start()}, with {@code brokerProperties} (such as {@code message.max.bytes})
     * set on the broker over its defaults.
     */
    public static EmbeddedKafkaBroker start(Map<String, String> brokerProperties) throws Exception {
        return start(0, brokerProperties);
    }

    private static EmbeddedKafkaBroker start(int port, Map<String, String> brokerProperties)
            throws Exception {
        long started = System.nanoTime();
        Path dataDir = Files.createTempDirectory("fusion-kafka-");
        TestKitNodes.Builder nodesBuilder = new TestKitNodes.Builder();
        if (port > 0) {
            // Node 0 is the combined broker and controller; "EXTERNAL" is the kit's client listener.
            nodesBuilder.setPerServerProperties(Map.of(0, Map.of("listeners",
                    "EXTERNAL://localhost:" + port + ",CONTROLLER://localhost:0")));
        }
        TestKitNodes nodes = nodesBuilder
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                // The kit defaults to a testing metadata version; real clusters run a production one.
                .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                .setBaseDirectory(dataDir)
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes)
                .setDeleteOnClose(true)
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "4")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("transaction.state.log.num.partitions", "4")
                .setConfigProp("transaction.max.timeout.ms", String.valueOf(TRANSACTION_MAX_TIMEOUT_MS))
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("auto.create.topics.enable", "false");
        brokerProperties.forEach(builder::setConfigProp);
        KafkaClusterTestKit cluster = builder.build();
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(cluster, dataDir);
        try {
            formatQuietly(cluster);
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            broker.close();
            throw e;
        }
        LOG.info("embedded Kafka broker ready at {} in {} ms (data in {})", broker.bootstrapServers(),
                (System.nanoTime() - started) / 1_000_000, dataDir);
        return broker;
    }

    /** Kafka's storage formatter prints its progress to stdout; keep the launcher's output clean. */
    private static synchronized void formatQuietly(KafkaClusterTestKit cluster) throws Exception {
        java.io.PrintStream stdout = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            cluster.format();
        } finally {
            System.setOut(stdout);
        }
    }

    /** host:port list for clients. */
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** Client properties that reach this broker. */
    public Map<String, Object> clientProperties() {
        Map<String, Object> props = new java.util.HashMap<>();
        cluster.clientProperties().forEach((k, v) -> props.put(String.valueOf(k), v));
        return props;
    }

    /** Where the broker keeps its logs (removed on close). */
    public Path dataDir() {
        return dataDir;
    }

    @Override
    public synchronized void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        try {
            cluster.close();
        } finally {
            deleteQuietly(dataDir);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.debug("could not delete {}", p);
                }
            });
        } catch (IOException e) {
            LOG.warn("could not remove the broker's data directory {}", dir);
        }
    }
}
