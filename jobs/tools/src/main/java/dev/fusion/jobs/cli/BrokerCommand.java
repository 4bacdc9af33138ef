package dev.fusion.jobs.cli;

import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.embedded.EmbeddedKafkaBroker;
import dev.fusion.jobs.kafka.TopicAdmin;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code broker}: a standalone local Kafka broker with the pipeline's topics, listening and
 * advertising {@code --host:--port}, until Ctrl-C (SIGINT) or SIGTERM; its data is removed on
 * exit unless it lives in a {@code --data-dir} of the user's.
 */
final class BrokerCommand {

    static final Set<String> OPTIONS = Set.of("port", "host", "advertised-host", "data-dir",
            "partitions", "config");
    /** How long a shutdown hook waits for the broker to stop and its data to be removed. */
    private static final long STOP_TIMEOUT_SECONDS = 60;

    private BrokerCommand() {
    }

    static void run(String[] argv, PrintStream out) throws Exception {
        Args args = Args.parse("broker", argv, OPTIONS, Set.of());
        int port = args.intValue("port", 9092);
        int partitions = args.intValue("partitions", 2);
        FusionConfig config = CliConfig.load(args);
        EmbeddedKafkaBroker.Builder builder = EmbeddedKafkaBroker.builder()
                .host(args.get("host", "localhost"))
                .advertisedHost(args.get("advertised-host", null))
                .port(port);
        String dataDir = args.get("data-dir", null);
        if (dataDir != null) {
            builder.dataDir(Path.of(dataDir));
        }
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        // The JVM exits once its shutdown hooks return: this one holds it until the broker is
        // closed and its data removed.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "broker-stop"));
        try (EmbeddedKafkaBroker broker = builder.start()) {
            try (TopicAdmin admin = new TopicAdmin(broker.bootstrapServers())) {
                admin.createTopics(topicPartitions(config, partitions), Duration.ofSeconds(30));
            }
            String bootstrap = broker.bootstrapServers();
            out.println("Kafka broker ready at " + bootstrap + " (KRaft, single node, listening on "
                    + args.get("host", "localhost") + ":" + broker.port() + ")");
            out.println("Data in " + broker.dataDir() + (dataDir != null
                    ? " (kept on exit: start again with the same --data-dir and --port to resume)"
                    : " (removed on exit)"));
            out.println("Topics: " + topicPartitions(config, partitions));
            out.println("Try:  ./fusion run --set kafka.bootstrap-servers=" + bootstrap);
            out.println("      ./fusion produce --bootstrap-servers " + bootstrap);
            out.println("Ctrl-C stops the broker.");
            stop.await();
            out.println("stopping the broker...");
        } finally {
            stopped.countDown();
        }
    }

    /**
     * The pipeline's topics, one input per stream of the configured models: inputs and fused
     * output with {@code partitions}, dead letters and dropped events with 1.
     */
    static Map<String, Integer> topicPartitions(FusionConfig config, int partitions) {
        Map<String, Integer> topics = new LinkedHashMap<>();
        var names = dev.fusion.jobs.FusionJobMain.topics(config, config.models().manifest());
        for (int i = 0; i < names.size(); i++) {
            topics.put(names.get(i), i < names.size() - 2 ? partitions : 1);
        }
        return topics;
    }
}
