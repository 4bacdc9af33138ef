package dev.fusion.jobs.cli;

import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.embedded.EmbeddedKafkaBroker;
import dev.fusion.jobs.kafka.TopicAdmin;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/** {@code broker}: a standalone local Kafka broker with the pipeline's topics, until Ctrl-C. */
final class BrokerCommand {

    static final Set<String> OPTIONS = Set.of("port", "partitions", "config");

    private BrokerCommand() {
    }

    static void run(String[] argv, PrintStream out) throws Exception {
        Args args = Args.parse("broker", argv, OPTIONS, Set.of());
        int port = args.intValue("port", 9092);
        int partitions = args.intValue("partitions", 2);
        FusionConfig config = CliConfig.load(args);
        CountDownLatch stop = new CountDownLatch(1);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(port)) {
            try (TopicAdmin admin = new TopicAdmin(broker.bootstrapServers())) {
                admin.createTopics(topicPartitions(config, partitions), Duration.ofSeconds(30));
            }
            out.println("Kafka broker ready at " + broker.bootstrapServers() + " (KRaft, single node,"
                    + " data in " + broker.dataDir() + ", removed on exit)");
            out.println("Topics: " + topicPartitions(config, partitions));
            out.println("Try:  ./fusion run --set kafka.bootstrap-servers=" + broker.bootstrapServers());
            out.println("      ./fusion produce --bootstrap-servers " + broker.bootstrapServers());
            out.println("Ctrl-C stops the broker.");
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "broker-stop"));
            stop.await();
        }
    }

    /** The pipeline's six topics: inputs and fused output with {@code partitions}, the others with 1. */
    static Map<String, Integer> topicPartitions(FusionConfig config, int partitions) {
        Map<String, Integer> topics = new LinkedHashMap<>();
        var names = dev.fusion.jobs.FusionJobMain.topics(config);
        for (int i = 0; i < names.size(); i++) {
            topics.put(names.get(i), i < 4 ? partitions : 1);
        }
        return topics;
    }
}
