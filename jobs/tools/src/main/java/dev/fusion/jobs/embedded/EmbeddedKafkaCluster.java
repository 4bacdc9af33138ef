package dev.fusion.jobs.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka cluster of several KRaft nodes on localhost, each one broker and controller of a
 * static quorum ({@code controller.quorum.voters}), each in a JVM of its own that runs Kafka's
 * own server main ({@link EmbeddedKafkaNode}). A node can be killed with SIGKILL, as a crashed
 * machine is, and started again on the same ports and data.
 *
 * <p>Kafka's internal topics (offsets, transaction state) are replicated to three nodes (fewer
 * when the cluster is smaller) with a minimum of two in sync, as Kafka's own defaults for a
 * production cluster are; other topics get the brokers' defaults unless {@link
 * Builder#brokerProperties} says otherwise. {@link #close()} kills every node.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);

    private static final String CLIENT_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private final Path dir;
    private final boolean removeOnClose;
    private final List<KafkaNodeProcess> nodes = new ArrayList<>();
    private final Thread killOnExit = new Thread(this::killAll, "kafka-cluster-kill-on-exit");
    private boolean closed;

    private EmbeddedKafkaCluster(Path dir, boolean removeOnClose) {
        this.dir = dir;
        this.removeOnClose = removeOnClose;
    }

    /** Settings of a cluster to start: three nodes, a temporary directory. */
    public static Builder builder() {
        return new Builder();
    }

    /** How many nodes, with which settings, where; {@link #start()} starts them. */
    public static final class Builder {

        private int nodes = 3;
        private Path dir;
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();

        private Builder() {
        }

        /** Number of nodes, each a broker and a controller voter (1 to 9). */
        public Builder nodes(int nodes) {
            if (nodes < 1 || nodes > 9) {
                throw new IllegalArgumentException("nodes must be 1..9, got " + nodes);
            }
            this.nodes = nodes;
            return this;
        }

        /**
         * An empty (or absent) directory of the caller's for the nodes' data and logs, kept on
         * close; without it a temporary one, removed on close.
         */
        public Builder dir(Path dir) {
            this.dir = dir;
            return this;
        }

        /** Extra settings of every node (overriding this class's defaults, not the listeners). */
        public Builder brokerProperties(Map<String, String> properties) {
            this.brokerProperties.putAll(properties);
            return this;
        }

        /** Formats every node, starts them all and returns once each one is a live broker. */
        public EmbeddedKafkaCluster start() throws Exception {
            Path root = dir != null ? Files.createDirectories(dir)
                    : Files.createTempDirectory("fusion-kafka-cluster-");
            try (var entries = Files.list(root)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException("a new cluster needs an empty directory; "
                            + root + " holds files");
                }
            }
            EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(root, dir == null);
            try {
                cluster.startAll(nodes, brokerProperties);
            } catch (Exception | Error e) {
                cluster.close();
                throw e;
            }
            return cluster;
        }
    }

    private void startAll(int count, Map<String, String> extra) throws Exception {
        long started = System.nanoTime();
        Set<Integer> taken = new HashSet<>();
        for (int id = 0; id < count; id++) {
            nodes.add(new KafkaNodeProcess(id, freePort(taken), freePort(taken),
                    dir.resolve("node-" + id)));
        }
        String voters = nodes.stream()
                .map(n -> n.id + "@localhost:" + n.controllerPort)
                .collect(Collectors.joining(","));
        String clusterId = Uuid.randomUuid().toString();
        Path log4j = writeLogConfiguration();
        for (KafkaNodeProcess node : nodes) {
            node.configure(serverProperties(node, voters, count, extra), log4j);
            format(node, clusterId);
        }
        Runtime.getRuntime().addShutdownHook(killOnExit);
        for (KafkaNodeProcess node : nodes) {
            node.launch();
        }
        awaitBrokers(nodes.stream().map(n -> n.id).collect(Collectors.toSet()));
        LOG.info("Kafka cluster of {} nodes ready at {} in {} ms (data in {})", count,
                bootstrapServers(), (System.nanoTime() - started) / 1_000_000, dir);
    }

    private Map<String, String> serverProperties(KafkaNodeProcess node, String voters, int count,
            Map<String, String> extra) {
        String replication = String.valueOf(Math.min(3, count));
        String minIsr = String.valueOf(Math.min(2, count));
        Map<String, String> p = new LinkedHashMap<>();
        p.put("offsets.topic.replication.factor", replication);
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", replication);
        p.put("transaction.state.log.min.isr", minIsr);
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", replication);
        p.put("share.coordinator.state.topic.min.isr", minIsr);
        p.put("transaction.max.timeout.ms",
                String.valueOf(EmbeddedKafkaBroker.TRANSACTION_MAX_TIMEOUT_MS));
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.putAll(extra);
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(node.id));
        // A static quorum: every node knows every voter from the start, nothing to bootstrap.
        p.put("controller.quorum.voters", voters);
        p.put("listeners", CLIENT_LISTENER + "://localhost:" + node.clientPort + ","
                + CONTROLLER_LISTENER + "://localhost:" + node.controllerPort);
        p.put("advertised.listeners", CLIENT_LISTENER + "://localhost:" + node.clientPort);
        p.put("listener.security.protocol.map",
                CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", CLIENT_LISTENER);
        p.put("log.dirs", node.dataDir().toString());
        return p;
    }

    /** Formats a node's log directory as a member of cluster {@code clusterId}. */
    private static void format(KafkaNodeProcess node, String clusterId) throws Exception {
        new Formatter()
                // Kafka's formatter prints its progress to stdout; keep the test's output clean.
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(node.id)
                .setClusterId(clusterId)
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setMetadataLogDirectory(node.dataDir().toString())
                .addDirectory(node.dataDir().toString())
                .setReleaseVersion(MetadataVersion.latestProduction())
                .run();
    }

    /** Kafka at INFO is loud; what a failed test needs is leadership, ISR and errors. */
    private Path writeLogConfiguration() throws IOException {
        Path file = dir.resolve("log4j2-node.properties");
        Files.writeString(file, String.join("\n",
                "rootLogger.level = WARN",
                "rootLogger.appenderRef.console.ref = Console",
                "appender.console.type = Console",
                "appender.console.name = Console",
                "appender.console.layout.type = PatternLayout",
                "appender.console.layout.pattern = %d{HH:mm:ss.SSS} %-5p [%t] %c{1} - %m%n",
                "logger.server.name = kafka.server.BrokerServer",
                "logger.server.level = INFO",
                "logger.partition.name = kafka.cluster.Partition",
                "logger.partition.level = INFO",
                "logger.raft.name = org.apache.kafka.raft.QuorumState",
                "logger.raft.level = INFO",
                ""), StandardCharsets.UTF_8);
        return file;
    }

    /** host:port of every node, for clients. */
    public String bootstrapServers() {
        return nodes.stream().map(n -> "localhost:" + n.clientPort)
                .collect(Collectors.joining(","));
    }

    /** host:port of node {@code id} alone. */
    public String bootstrapServers(int id) {
        return "localhost:" + node(id).clientPort;
    }

    /** The node ids, 0 to n-1. */
    public List<Integer> nodeIds() {
        return nodes.stream().map(n -> n.id).toList();
    }

    /** Whether node {@code id}'s process is alive. */
    public boolean isRunning(int id) {
        return node(id).isAlive();
    }

    /** The pid of node {@code id}'s process now. */
    public long pid(int id) {
        return node(id).pid();
    }

    /**
     * Kills node {@code id} with SIGKILL, as a crashed machine: no controlled shutdown, nothing
     * flushed; returns once the process is gone.
     */
    public void kill(int id) throws InterruptedException {
        KafkaNodeProcess node = node(id);
        node.kill();
        LOG.info("Kafka node {} killed (SIGKILL)", id);
    }

    /**
     * Starts a killed node again on its ports and data; returns once it is a live broker of the
     * cluster again (its replicas may still be catching up).
     */
    public void restart(int id) throws Exception {
        KafkaNodeProcess node = node(id);
        if (node.isAlive()) {
            throw new IllegalStateException("Kafka node " + id + " is running");
        }
        long started = System.nanoTime();
        node.launch();
        awaitBrokers(Set.of(id));
        LOG.info("Kafka node {} back at {} in {} ms", id, bootstrapServers(id),
                (System.nanoTime() - started) / 1_000_000);
    }

    /** Waits until every node of {@code ids} is a registered, unfenced broker. */
    private void awaitBrokers(Collection<Integer> ids) throws Exception {
        Map<String, Object> props = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String seen = "none";
        try (Admin admin = Admin.create(props)) {
            while (true) {
                for (int id : ids) {
                    KafkaNodeProcess node = node(id);
                    if (!node.isAlive()) {
                        throw new IllegalStateException("Kafka node " + id + " exited ("
                                + node.exitValue() + ") while starting; its log "
                                + node.log() + " ends with:\n" + node.logTail());
                    }
                }
                try {
                    Set<Integer> live = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)
                            .stream().map(Node::id).collect(Collectors.toSet());
                    seen = live.toString();
                    if (live.containsAll(ids)) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    seen = e.toString();
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Kafka nodes " + ids + " not live within "
                            + READY_TIMEOUT + " (the cluster shows " + seen + ")");
                }
                Thread.sleep(100);
            }
        }
    }

    private KafkaNodeProcess node(int id) {
        if (id < 0 || id >= nodes.size()) {
            throw new IllegalArgumentException("no node " + id + "; the nodes are " + nodeIds());
        }
        return nodes.get(id);
    }

    /** Kills every node; removes the directory if it is a temporary one of this class. */
    @Override
    public synchronized void close() throws InterruptedException {
        if (closed) {
            return;
        }
        closed = true;
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // The JVM is exiting (the hook runs), or the cluster never got as far as adding it.
        }
        if (removeOnClose) {
            EmbeddedKafkaBroker.deleteQuietly(dir);
        }
    }

    private void killAll() {
        for (KafkaNodeProcess node : nodes) {
            try {
                node.kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** A port free on localhost now and not in {@code taken}; added to it. */
    private static int freePort(Set<Integer> taken) {
        while (true) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress("localhost", 0));
                if (taken.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("no free port on localhost", e);
            }
        }
    }
}
