package dev.fusion.jobs.cli;

import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import dev.fusion.jobs.kafka.KafkaClientProperties;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DroppedEvent;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.codec.CodecException;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** {@code tail}: pretty-prints fused outputs, dead letters or dropped events as they commit. */
final class TailCommand {

    static final Set<String> OPTIONS = Set.of("bootstrap-servers", "topic", "max", "config");
    static final Set<String> FLAGS = Set.of("from-beginning");
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private TailCommand() {
    }

    static void run(String[] argv, PrintStream out) {
        Args args = Args.parse("tail", argv, OPTIONS, FLAGS);
        FusionConfig config = CliConfig.load(args);
        String bootstrap = args.get("bootstrap-servers", config.isSet(FusionOptions.BOOTSTRAP_SERVERS)
                ? config.get(FusionOptions.BOOTSTRAP_SERVERS) : "localhost:9092");
        String which = args.get("topic", "fused");
        List<String> topics = new ArrayList<>();
        switch (which) {
            case "fused" -> topics.add(config.get(FusionOptions.TOPIC_FUSED));
            case "dlq" -> topics.add(config.get(FusionOptions.TOPIC_DLQ));
            case "dropped" -> topics.add(config.get(FusionOptions.TOPIC_DROPPED));
            case "all" -> topics.addAll(List.of(config.get(FusionOptions.TOPIC_FUSED),
                    config.get(FusionOptions.TOPIC_DLQ), config.get(FusionOptions.TOPIC_DROPPED)));
            default -> throw new Args.UsageException("tail: --topic must be fused, dlq, dropped or all, got '"
                    + which + "'");
        }
        long max = args.intValue("max", Integer.MAX_VALUE);
        Properties props = KafkaClientProperties.of(bootstrap, config).withDefaults(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"));
        // A group of its own, so that a tail never takes partitions from another reader.
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "fusion-tail-" + UUID.randomUUID());
        KafkaClientProperties.override(props, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                args.flag("from-beginning") ? "earliest" : "latest",
                "tail starts where --from-beginning says");
        AtomicBoolean running = new AtomicBoolean(true);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> running.set(false), "tail-stop"));
        Printer printer = new Printer(config);
        long printed = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(topics);
            out.println("tailing " + topics + " at " + bootstrap + " (read_committed; Ctrl-C stops)");
            while (running.get() && printed < max) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    out.println(printer.format(r));
                    if (++printed >= max) {
                        break;
                    }
                }
            }
        }
    }

    /** One line per record, by topic. */
    static final class Printer {
        private final String fusedTopic;
        private final String dlqTopic;
        private final SingleObjectCodec<FusedEvent> fused = SingleObjectCodec.forSpecific(FusedEvent.class);
        private final SingleObjectCodec<DeadLetter> dlq = SingleObjectCodec.forSpecific(DeadLetter.class);
        private final SingleObjectCodec<DroppedEvent> dropped = SingleObjectCodec.forSpecific(DroppedEvent.class);

        Printer(FusionConfig config) {
            fusedTopic = config.get(FusionOptions.TOPIC_FUSED);
            dlqTopic = config.get(FusionOptions.TOPIC_DLQ);
        }

        String format(ConsumerRecord<byte[], byte[]> r) {
            try {
                if (r.topic().equals(fusedTopic)) {
                    return fused(fused.decode(r.value()));
                } else if (r.topic().equals(dlqTopic)) {
                    return deadLetter(dlq.decode(r.value()));
                }
                return dropped(dropped.decode(r.value()));
            } catch (CodecException e) {
                return r.topic() + "/" + r.partition() + "@" + r.offset() + " undecodable: " + e.getMessage();
            }
        }

        static String fused(FusedEvent e) {
            List<Float> scores = e.getScores();
            int best = 0;
            for (int i = 1; i < scores.size(); i++) {
                if (scores.get(i) > scores.get(best)) {
                    best = i;
                }
            }
            List<Float> w = e.getWeights();
            String trigger = e.getTriggerEventId() == null ? "" : " trigger " + e.getTriggerEventId();
            return String.format(Locale.ROOT,
                    "FUSED   %s  %-12s class %d (p=%.2f)  weights text %.2f audio %.2f image %.2f  %s  %d sources%s  %s",
                    TIME.format(e.getEventTime()), e.getEntityId(), best, scores.get(best), w.get(0), w.get(1),
                    w.get(2), e.getAlignment(), e.getSourceEventIds().size(), trigger, e.getModelVersion());
        }

        static String deadLetter(DeadLetter d) {
            String truncated = d.getValueTruncated() ? "  [value cut to " + d.getValue().remaining()
                    + " of " + d.getValueSize() + " bytes]" : "";
            return String.format(Locale.ROOT, "DLQ     %s  %s/%d@%d  %-16s %s  %s%s", TIME.format(d.getFailedAt()),
                    d.getSourceTopic(), d.getPartition(), d.getOffset(), d.getReason(),
                    d.getEventId() == null ? "-" : d.getEventId(), d.getMessage(), truncated);
        }

        static String dropped(DroppedEvent d) {
            return String.format(Locale.ROOT, "DROPPED %s  %s/%d@%d  %-8s %s %s  %s",
                    TIME.format(d.getEventTime()), d.getSourceTopic(), d.getPartition(), d.getOffset(),
                    d.getReason(), d.getEventId(), d.getEntityId(), d.getMessage());
        }

        static String time(Instant t) {
            return TIME.format(t);
        }
    }
}
