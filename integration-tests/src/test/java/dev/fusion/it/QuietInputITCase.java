package dev.fusion.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.kafka.CheckedProducer;
import dev.fusion.jobs.synthetic.SyntheticDistribution;
import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.schemas.AlignmentPolicy;
import dev.fusion.schemas.DropReason;
import dev.fusion.schemas.DroppedEvent;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.Modality;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quiet inputs and re-sent events on an unbounded job and a real broker: when every input goes
 * quiet, what is pending fuses within {@code align.idle-flush-after}; a record that comes later
 * for a fused window is LATE; and a copy of an event id is dropped as DUPLICATE, never fused
 * twice, whether it is sent again to the same partition, another partition or another topic.
 */
class QuietInputITCase extends KafkaJobTestBase {

    private static final Logger LOG = LoggerFactory.getLogger(QuietInputITCase.class);

    private static final Duration WAIT = Duration.ofSeconds(3);
    /** Start-up of the job, checkpoint commit, inference on a busy 2-core machine. */
    private static final Duration MARGIN = Duration.ofSeconds(12);
    private static final long WINDOW_MS = 1000;

    /**
     * Short idleness and wait. Each burst is produced at once after a quiet period, and the
     * first input to wake up moves the watermark before the others are read (idle inputs do not
     * hold it back): an out-of-orderness above the burst's span keeps their records on time.
     */
    private FusionConfig quietConfig(String policy) {
        return config(Map.of("align.policy", policy, "align.window", "1 s",
                "watermarks.idleness", "1 s", "watermarks.out-of-orderness", "5 s",
                "align.idle-flush-after", WAIT.toMillis() + " ms"));
    }

    @ParameterizedTest(name = "{0} alignment")
    @ValueSource(strings = {"window", "latest"})
    void whenTrafficStopsEveryEventIsAccountedForWithinTheWait(String policy) throws Exception {
        startUnbounded(quietConfig(policy), new Configuration());

        // The first burst shows the job is up (its wait includes the job's start-up).
        List<ModalityRecord> first = traffic("warm", recentBase(), 3, 2);
        produce(first);
        awaitAccounted(ids(first), Duration.ofSeconds(90));

        List<ModalityRecord> second = traffic("quiet", recentBase(), 4, 3);
        produce(second);
        long produced = System.nanoTime();
        awaitAccounted(ids(second), WAIT.plus(MARGIN));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - produced);
        LOG.info("{}: every event of the quiet burst accounted for {} ms after it was produced"
                + " (align.idle-flush-after {} ms)", policy, millis, WAIT.toMillis());
        // Nothing but the idle flush moves event time past the burst's last records.
        assertThat(millis).as("time to account for the quiet burst, ms")
                .isGreaterThanOrEqualTo(WAIT.toMillis() - 1000);

        // A record for a window of the second burst, which the flush has fused.
        ModalityRecord second0 = second.get(0);
        ModalityRecord late = ModalityRecord.text(0, "late-t", second0.entityId,
                second0.eventTime + 1, "after the flush", null, 0, 0);
        produce(List.of(late));
        await("the late record in " + topics.dropped(), Duration.ofSeconds(60),
                () -> !readOutputs().dropped().isEmpty());

        Outputs out = readOutputs();
        List<String> all = new ArrayList<>(ids(first));
        all.addAll(ids(second));
        all.add(late.eventId);
        Accounting.assertExact(all, out.fused(), out.deadLetters(), out.dropped());
        assertThat(out.dropped()).hasSize(1);
        DroppedEvent d = out.dropped().get(0);
        assertThat(d.getEventId()).isEqualTo("late-t");
        assertThat(d.getReason()).isEqualTo(DropReason.LATE);
        assertThat(d.getMessage()).contains("it came after an idle flush")
                .contains("align.idle-flush-after 3000 ms");
        assertThat(out.fused()).allSatisfy(f -> assertThat(f.getAlignment())
                .isEqualTo(AlignmentPolicy.valueOf(policy.toUpperCase(Locale.ROOT))));
    }

    @Test
    void aReSentEventIsADuplicateAndFusedOnce() throws Exception {
        startUnbounded(quietConfig("window"), new Configuration());
        List<ModalityRecord> records = traffic("dup", recentBase(), 3, 2);
        List<String> sent = new ArrayList<>(ids(records));
        ModalityRecord sameTopic = find(records, "dup-e0-t0");
        ModalityRecord otherPartition = find(records, "dup-e1-a0");
        ModalityRecord otherTopic = find(records, "dup-e2-i1");
        ModalityRecord thrice = find(records, "dup-e1-t1");
        ModalityRecord asText = ModalityRecord.text(0, otherTopic.eventId, otherTopic.entityId,
                otherTopic.eventTime, "the image's id on the text topic", null, 0, 0);

        try (CheckedProducer producer = new CheckedProducer(broker.bootstrapServers())) {
            for (ModalityRecord r : records) {
                if (r == otherPartition) {
                    producer.send(Scenario.topic(topics, Streams.of(r)), 0, key(r),
                            Scenario.encode(r));
                } else {
                    send(producer, r);
                }
            }
            send(producer, sameTopic);
            producer.send(Scenario.topic(topics, Streams.of(otherPartition)), 1, key(otherPartition),
                    Scenario.encode(otherPartition));
            send(producer, asText);
            send(producer, thrice);
            send(producer, thrice);
            producer.flush();
        }
        sent.addAll(List.of(sameTopic.eventId, otherPartition.eventId, asText.eventId,
                thrice.eventId, thrice.eventId));

        // The copies are dropped as they arrive, the fusions come with the idle flush after them.
        awaitAccounted(sent, Duration.ofSeconds(90));
        Outputs out = readOutputs();
        Accounting.assertExactWithCopies(sent, out.fused(), out.deadLetters(), out.dropped());
        assertThat(out.dropped()).extracting(DroppedEvent::getEventId).containsExactlyInAnyOrder(
                "dup-e0-t0", "dup-e1-a0", "dup-e2-i1", "dup-e1-t1", "dup-e1-t1");
        assertThat(out.dropped()).allSatisfy(dropped -> {
            assertThat(dropped.getReason()).isEqualTo(DropReason.DUPLICATE);
            assertThat(dropped.getMessage()).contains("align.duplicate-horizon 60000 ms");
        });
        for (FusedEvent f : out.fused()) {
            assertThat(f.getSourceEventIds()).as("sources of %s", f.getEntityId())
                    .doesNotHaveDuplicates();
        }
    }

    /** A base time a few windows before now, on a window boundary: recent, live-like traffic. */
    private static long recentBase() {
        long now = System.currentTimeMillis() - 5 * WINDOW_MS;
        return now - Math.floorMod(now, WINDOW_MS);
    }

    /**
     * One text, audio and image record per entity and window, with ids
     * {@code prefix-e<entity>-<t|a|i><window>}, at distinct event times within the window.
     */
    private static List<ModalityRecord> traffic(String prefix, long base, int entities,
            int windows) {
        SyntheticDistribution dist = SyntheticDistribution.bundled();
        Random random = new Random(prefix.hashCode());
        List<ModalityRecord> out = new ArrayList<>();
        for (int w = 0; w < windows; w++) {
            for (int e = 0; e < entities; e++) {
                String entity = prefix + "-entity-" + e;
                String id = prefix + "-e" + e + "-";
                long t = base + w * WINDOW_MS + 100 + 10L * e;
                out.add(ModalityRecord.text(0, id + "t" + w, entity, t, "a quiet evening by the sea",
                        null, 0, 0));
                out.add(ModalityRecord.features(Streams.slot(Modality.AUDIO), id + "a" + w, entity, t + 1,
                        gaussian(dist.audioDim(), random), null, 0, 0));
                out.add(ModalityRecord.features(Streams.slot(Modality.IMAGE), id + "i" + w, entity, t + 2,
                        gaussian(dist.imageDim(), random), null, 0, 0));
            }
        }
        return out;
    }

    private void awaitAccounted(Collection<String> ids, Duration timeout) throws Exception {
        Set<String> wanted = new HashSet<>(ids);
        await(wanted.size() + " events accounted for", timeout,
                () -> accountedIds(readOutputs()).containsAll(wanted));
    }

    /** Every event id the outputs account for (fusions by policy, dead letters, drops). */
    private static Set<String> accountedIds(Outputs out) {
        Set<String> ids = new HashSet<>();
        for (FusedEvent f : out.fused()) {
            if (f.getAlignment() == AlignmentPolicy.LATEST) {
                ids.add(f.getTriggerEventId());
            } else {
                ids.addAll(f.getSourceEventIds());
            }
        }
        out.deadLetters().forEach(d -> ids.add(d.getEventId()));
        out.dropped().forEach(d -> ids.add(d.getEventId()));
        return ids;
    }

    private void send(CheckedProducer producer, ModalityRecord r) {
        producer.send(Scenario.topic(topics, Streams.of(r)), key(r), Scenario.encode(r));
    }

    private static byte[] key(ModalityRecord r) {
        return r.entityId.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> ids(List<ModalityRecord> records) {
        return records.stream().map(r -> r.eventId).toList();
    }

    private static ModalityRecord find(List<ModalityRecord> records, String eventId) {
        return records.stream().filter(r -> r.eventId.equals(eventId)).findFirst().orElseThrow();
    }

    private static float[] gaussian(int dim, Random random) {
        float[] v = new float[dim];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
