package dev.fusion.jobs.cli;

import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import dev.fusion.jobs.kafka.BrokerPreflight;
import dev.fusion.jobs.kafka.KafkaClientProperties;
import dev.fusion.jobs.synthetic.SyntheticDistribution;
import dev.fusion.jobs.synthetic.SyntheticLoad;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code produce}: synthetic multimodal load into a Kafka cluster, at a fixed rate. */
final class ProduceCommand {

    static final Set<String> OPTIONS = Set.of("bootstrap-servers", "rate", "duration", "entities",
            "seed", "corrupt", "corrupt-at", "run-id", "config");

    private ProduceCommand() {
    }

    static void run(String[] argv, PrintStream out) throws Exception {
        Args args = Args.parse("produce", argv, OPTIONS, Set.of());
        FusionConfig config = CliConfig.load(args);
        String bootstrap = args.get("bootstrap-servers", config.isSet(FusionOptions.BOOTSTRAP_SERVERS)
                ? config.get(FusionOptions.BOOTSTRAP_SERVERS) : "localhost:9092");
        Duration duration = args.duration("duration", Duration.ofSeconds(60));
        SyntheticDistribution distribution = SyntheticDistribution.forModels(config.models().manifest());
        distribution.noGroundTruth().ifPresent(why -> out.println("records of the models' shapes"
                + " without meaningful classes: " + why));
        Map<String, String> keyByTopic = new LinkedHashMap<>();
        distribution.streams().forEach(m -> keyByTopic.put(
                config.get(FusionOptions.inputTopic(m.id())), FusionOptions.inputTopic(m.id()).key()));
        List<String> topics = List.copyOf(keyByTopic.keySet());
        BrokerPreflight.requireTopics(KafkaClientProperties.of(bootstrap, config),
                keyByTopic);
        SyntheticLoad.Settings settings = new SyntheticLoad.Settings(bootstrap, topics,
                args.intValue("rate", 1000), args.intValue("entities", 1000),
                args.intValue("seed", 7), args.get("corrupt", "none"),
                args.duration("corrupt-at", Duration.ZERO).toMillis(),
                args.get("run-id", SyntheticLoad.Settings.newRunId()));
        SyntheticLoad load = new SyntheticLoad(settings, distribution, config.kafkaProperties());
        Thread producer = new Thread(load, "synthetic-producer");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            load.stop();
            joinQuietly(producer);
        }, "produce-stop"));
        out.printf("producing %d events/s to %s for %s, run id %s (event ids %s-t-0, ...; Ctrl-C"
                + " stops)%n", settings.eventsPerSecond(), bootstrap, duration, settings.runId(),
                settings.runId());
        producer.start();
        long end = System.currentTimeMillis() + duration.toMillis();
        while (producer.isAlive() && System.currentTimeMillis() < end) {
            Thread.sleep(Math.min(1000, Math.max(1, end - System.currentTimeMillis())));
            out.printf("produced %s%s%n", perStream(load),
                    load.corrupting() ? " (" + args.get("corrupt", "") + " corrupted)" : "");
        }
        load.stop();
        producer.join();
        if (load.failure() != null) {
            throw new IllegalStateException("producer failed: " + load.failure().getMessage(), load.failure());
        }
        out.printf("done: %d events (%s), every send acknowledged%n",
                Arrays.stream(load.produced()).sum(), perStream(load));
    }

    /** "text 120, audio 98, image 117": events produced per stream. */
    static String perStream(SyntheticLoad load) {
        long[] p = load.produced();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < p.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(load.streams().get(i).id()).append(' ').append(p[i]);
        }
        return sb.toString();
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
