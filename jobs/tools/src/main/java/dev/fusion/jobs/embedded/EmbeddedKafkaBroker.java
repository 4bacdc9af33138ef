package dev.fusion.jobs.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) in this JVM, listening
 * and advertising exactly where it is told, that can be stopped and started again on the same
 * port and data.
 *
 * <p>It wraps Kafka's own server classes ({@code KafkaRaftServer} and the storage
 * {@code Formatter}, internal APIs) so that no other class depends on them. Kafka's test kit is
 * not used: it binds its own sockets and ignores a configured client port.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    /** Longest transaction the broker accepts; the job's transaction timeout must stay below. */
    public static final long TRANSACTION_MAX_TIMEOUT_MS = 15 * 60 * 1000L;

    private static final int NODE_ID = 0;
    private static final String CLIENT_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String META_PROPERTIES = "meta.properties";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /** Attempts to start on ports picked here, in case another process takes one first. */
    private static final int PORT_ATTEMPTS = 3;

    private final String bindHost;
    private final String advertisedHost;
    private final Path dataDir;
    private final boolean removeDataOnClose;
    private final Map<String, String> brokerProperties;
    /** Extra client listeners: name to security protocol. */
    private final Map<String, String> extraListeners;
    private final Map<String, Integer> extraPorts = new LinkedHashMap<>();
    private final boolean portPicked;
    private int port;
    private boolean startedOnce;
    private KafkaRaftServer server;
    private boolean closed;

    private EmbeddedKafkaBroker(Builder b, Path dataDir, boolean removeDataOnClose) {
        this.bindHost = b.host;
        this.advertisedHost = b.advertisedHost != null ? b.advertisedHost : advertisable(b.host);
        this.dataDir = dataDir;
        this.removeDataOnClose = removeDataOnClose;
        this.brokerProperties = Map.copyOf(b.brokerProperties);
        this.extraListeners = new LinkedHashMap<>(b.extraListeners);
        this.portPicked = b.port == 0;
        this.port = b.port;
    }

    /** Formats and starts a broker on localhost and a free port; returns once it accepts clients. */
    public static EmbeddedKafkaBroker start() throws Exception {
        return builder().start();
    }

    /** As {@link #start()}, listening for clients on {@code port} (0: any free port). */
    public static EmbeddedKafkaBroker start(int port) throws Exception {
        return builder().port(port).start();
    }

    /**
     * As {@link #start()}, with extra broker settings such as {@code message.max.bytes}; they
     * override this class's own, but not the listeners, node id or data directory.
     */
    public static EmbeddedKafkaBroker start(Map<String, String> brokerProperties) throws Exception {
        return builder().brokerProperties(brokerProperties).start();
    }

    /** Settings of a broker to start: localhost, a free port, a temporary data directory. */
    public static Builder builder() {
        return new Builder();
    }

    /** Where and how to run a broker; {@link #start()} starts it. */
    public static final class Builder {

        private String host = "localhost";
        private String advertisedHost;
        private int port;
        private Path dataDir;
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();
        private final Map<String, String> extraListeners = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * One more client listener, {@code name} with {@code securityProtocol} (such as
         * {@code SASL_SSL}), on a free port of the same host, kept across restarts; its settings
         * ({@code listener.name.<name>.*}, {@code sasl.enabled.mechanisms}) go in
         * {@link #brokerProperties}. The PLAINTEXT listener stays, for the broker itself.
         */
        public Builder listener(String name, String securityProtocol) {
            String upper = name.toUpperCase(Locale.ROOT);
            if (upper.equals(CLIENT_LISTENER) || upper.equals(CONTROLLER_LISTENER)) {
                throw new IllegalArgumentException("listener name " + name + " is taken");
            }
            extraListeners.put(upper, Objects.requireNonNull(securityProtocol, "securityProtocol"));
            return this;
        }

        /**
         * Address (or host name) to bind the client listener to, advertised to clients too;
         * {@code 0.0.0.0} binds every interface and advertises this machine's host name.
         */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** Host name clients are told to connect to, when it differs from the bound address. */
        public Builder advertisedHost(String advertisedHost) {
            this.advertisedHost = advertisedHost;
            return this;
        }

        /** Client port; 0 picks a free one, kept across {@link EmbeddedKafkaBroker#restart()}. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * A data directory of the caller's, kept on close; formatted when empty, reused as it is
         * when it holds a broker's data already. Without it, a temporary one removed on close.
         */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /** Extra broker settings (overriding this class's own defaults). */
        public Builder brokerProperties(Map<String, String> properties) {
            this.brokerProperties.putAll(properties);
            return this;
        }

        /** Formats the data directory if needed and starts the broker; returns once it is ready. */
        public EmbeddedKafkaBroker start() throws Exception {
            Path dir = dataDir != null ? Files.createDirectories(dataDir)
                    : Files.createTempDirectory("fusion-kafka-");
            EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(this, dir, dataDir == null);
            try {
                broker.startServer();
            } catch (Exception e) {
                broker.close();
                throw e;
            }
            return broker;
        }
    }

    /**
     * Starts the broker again after {@link #stop()}, on the same host, port and data (topics,
     * committed offsets and transactions survive); returns once it accepts clients.
     */
    public synchronized void restart() throws Exception {
        if (closed) {
            throw new IllegalStateException("the broker is closed");
        }
        if (server == null) {
            startServer();
        }
    }

    /** Shuts the broker down, keeping its data for {@link #restart()}; clients see it gone. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        KafkaRaftServer s = server;
        server = null;
        s.shutdown();
        s.awaitShutdown();
        LOG.info("embedded Kafka broker at {} stopped", bootstrapServers());
    }

    /** Whether the broker runs now (started, not stopped). */
    public synchronized boolean isRunning() {
        return server != null;
    }

    private synchronized void startServer() throws Exception {
        long started = System.nanoTime();
        boolean pickClientPort = port == 0;
        for (int attempt = 1; ; attempt++) {
            if (pickClientPort) {
                port = freePort(bindHost);
            }
            int controllerPort = freePort("localhost");
            while (controllerPort == port) {
                controllerPort = freePort("localhost");
            }
            if (!startedOnce) {
                for (String name : extraListeners.keySet()) {
                    int p = freePort(bindHost);
                    while (p == port || p == controllerPort || extraPorts.containsValue(p)) {
                        p = freePort(bindHost);
                    }
                    extraPorts.put(name, p);
                }
            }
            KafkaConfig config = new KafkaConfig(serverProperties(controllerPort), false);
            formatIfNeeded();
            KafkaRaftServer s = new KafkaRaftServer(config, Time.SYSTEM);
            try {
                s.startup();
                awaitReady();
                server = s;
                startedOnce = true;
                break;
            } catch (Exception e) {
                shutdownQuietly(s);
                String bindFailure = bindFailure(e);
                if (bindFailure == null) {
                    throw e;
                }
                // The controller's port is always ours to replace, and so is a client port picked
                // here at the first start; a port the caller named is theirs, and a restart must
                // come back where clients expect it.
                boolean controller = bindFailure.contains("localhost:" + controllerPort + ":");
                pickClientPort = !controller && portPicked && !startedOnce;
                if (!controller && !pickClientPort || attempt >= PORT_ATTEMPTS) {
                    throw new IllegalArgumentException("cannot listen on " + bindHost + ":" + port
                            + " (" + rootCause(e).getMessage() + "): the port is taken or the"
                            + " address is not one of this machine's", e);
                }
                LOG.info("{}; trying another port", bindFailure);
            }
        }
        LOG.info("embedded Kafka broker ready at {} (bound to {}) in {} ms (data in {})",
                bootstrapServers(), bindHost, (System.nanoTime() - started) / 1_000_000, dataDir);
    }

    /** The server's settings: this class's defaults, the caller's extras, then the fixed parts. */
    private Map<String, String> serverProperties(int controllerPort) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("transaction.max.timeout.ms", String.valueOf(TRANSACTION_MAX_TIMEOUT_MS));
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.putAll(brokerProperties);
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        // A static single-voter quorum: the controller's port may change between restarts.
        p.put("controller.quorum.voters", NODE_ID + "@localhost:" + controllerPort);
        StringBuilder listeners = new StringBuilder(CLIENT_LISTENER + "://" + bindHost + ":" + port
                + "," + CONTROLLER_LISTENER + "://localhost:" + controllerPort);
        StringBuilder advertised =
                new StringBuilder(CLIENT_LISTENER + "://" + advertisedHost + ":" + port);
        StringBuilder protocols = new StringBuilder(
                CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        extraListeners.forEach((name, protocol) -> {
            int extraPort = extraPorts.get(name);
            listeners.append(',').append(name).append("://").append(bindHost).append(':')
                    .append(extraPort);
            advertised.append(',').append(name).append("://").append(advertisedHost).append(':')
                    .append(extraPort);
            protocols.append(',').append(name).append(':').append(protocol);
        });
        p.put("listeners", listeners.toString());
        p.put("advertised.listeners", advertised.toString());
        p.put("listener.security.protocol.map", protocols.toString());
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", CLIENT_LISTENER);
        p.put("log.dirs", dataDir.toString());
        return p;
    }

    /** Formats an empty data directory (a new cluster id); one already formatted is reused. */
    private void formatIfNeeded() throws Exception {
        if (Files.exists(dataDir.resolve(META_PROPERTIES))) {
            return;
        }
        new Formatter()
                // Kafka's formatter prints its progress to stdout; keep the launcher's output clean.
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(NODE_ID)
                .setClusterId(Uuid.randomUuid().toString())
                .setControllerListenerName(CONTROLLER_LISTENER)
                // The metadata log lives in the one log directory, as the server expects.
                .setMetadataLogDirectory(dataDir.toString())
                .addDirectory(dataDir.toString())
                // Kafka's default, named so that no testing metadata version slips in.
                .setReleaseVersion(MetadataVersion.latestProduction())
                .run();
    }

    /** Waits until a client on the advertised address sees this broker in the cluster. */
    private void awaitReady() throws Exception {
        Map<String, Object> props = new HashMap<>(clientProperties());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(props)) {
            while (true) {
                try {
                    if (admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size() == 1) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("broker at " + bootstrapServers()
                                + " not reachable within " + READY_TIMEOUT + ": " + e, e);
                    }
                }
                Thread.sleep(50);
            }
        }
    }

    /** host:port list for clients. */
    public String bootstrapServers() {
        return advertisedHost + ":" + port;
    }

    /** host:port of the extra client listener {@code name} ({@link Builder#listener}). */
    public String bootstrapServers(String listener) {
        Integer extraPort = extraPorts.get(listener.toUpperCase(Locale.ROOT));
        if (extraPort == null) {
            throw new IllegalArgumentException("no listener " + listener + "; the broker has "
                    + extraPorts.keySet());
        }
        return advertisedHost + ":" + extraPort;
    }

    /** Client properties that reach this broker. */
    public Map<String, Object> clientProperties() {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return props;
    }

    /** The client port (the one picked, when started with port 0). */
    public int port() {
        return port;
    }

    /** Where the broker keeps its logs (removed on close unless the caller chose it). */
    public Path dataDir() {
        return dataDir;
    }

    /** Stops the broker; removes its data directory if it is a temporary one of this class. */
    @Override
    public synchronized void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop();
        } finally {
            if (removeDataOnClose) {
                deleteQuietly(dataDir);
            }
        }
    }

    private static void shutdownQuietly(KafkaRaftServer s) {
        try {
            s.shutdown();
            s.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.debug("shutdown after a failed start failed too", e);
        }
    }

    /** The message of Kafka's "failed to bind to host:port" in {@code e}'s causes, or null. */
    private static String bindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (String.valueOf(t.getMessage()).contains("failed to bind")) {
                return t.getMessage();
            }
        }
        return null;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    /** A port free on {@code host} now (another process may still take it before the broker). */
    private static int freePort(String host) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + host, e);
        }
    }

    /** The host clients can reach for a bound address: a wildcard becomes this machine's name. */
    private static String advertisable(String host) {
        if (!host.equals("0.0.0.0") && !host.equals("::") && !host.isEmpty()) {
            return host;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot tell which host name to advertise for "
                    + host + "; name one (--advertised-host)", e);
        }
    }

    /** Removes {@code dir} and everything in it, logging what cannot be removed. */
    static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
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
