package dev.fusion.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.kafka.CheckedProducer;
import dev.fusion.jobs.kafka.CommittedTopicReader;
import dev.fusion.jobs.synthetic.SyntheticDistribution;
import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.schemas.DropReason;
import dev.fusion.schemas.DroppedEvent;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.Modality;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Event time at the edges: records far behind the watermark are dropped as LATE (and only they),
 * a topic that stays silent does not hold back the fusion of the others, and a drain after the
 * topics went quiet still fuses every open window.
 */
class LatenessAndIdlenessITCase extends KafkaJobTestBase {

    private static final Logger LOG = LoggerFactory.getLogger(LatenessAndIdlenessITCase.class);

    /** How far behind their partition's other records the late records are. */
    static final long BEHIND_MS = 30_000;
    /** The longest a fusion of the active topics may take to become visible. */
    static final Duration VISIBLE_WITHIN = Duration.ofSeconds(30);

    @TempDir
    Path savepoints;

    @ParameterizedTest(name = "{0} alignment")
    @ValueSource(strings = {"window", "latest"})
    void recordsFarBehindInTheSamePartitionAreDroppedAsLate(String policy) throws Exception {
        Scenario scenario = Scenario.generate(12, 4, 21L);
        produce(scenario.records);
        // Idleness longer than the test, so the drain at the end fires the open windows (an idle
        // source drops the drain's final watermark: see the last test). Then every partition
        // needs records, or its watermark would hold back all the others.
        assertThat(inputEndOffsets()).as("records in every input partition")
                .allSatisfy((tp, end) -> assertThat(end).as("end offset of %s", tp).isPositive());
        FusionConfig config = config(Map.of("align.policy", policy, "align.window", "1 s",
                "align.ttl", "10 s", "watermarks.idleness", "60 s"));
        JobClient job = startUnbounded(config, new Configuration());

        // Once an entity has a committed fusion, its key's watermark has passed the start of the
        // scenario, and a record 30 s before that is late wherever it lands.
        List<String> lateEntities = List.of("entity-0", "entity-1", "entity-2");
        await("a committed fusion of each of " + lateEntities, Duration.ofSeconds(60),
                () -> fusedEntities().containsAll(lateEntities));
        List<ModalityRecord> late = lateRecords(scenario.base - BEHIND_MS, lateEntities);
        produce(late);
        Set<String> lateIds =
                late.stream().map(r -> r.eventId).collect(Collectors.toCollection(TreeSet::new));
        await("the late records in " + topics.dropped(), Duration.ofSeconds(60),
                () -> CommittedTopicReader.readAll(broker.bootstrapServers(), topics.dropped(),
                        DroppedEvent.class, Duration.ofSeconds(10)).size() >= lateIds.size());
        // Drain: the final watermark fires every window and trigger still pending.
        job.stopWithSavepoint(true, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(60, TimeUnit.SECONDS);
        assertThat(awaitTerminal(job, Duration.ofSeconds(60))).isEqualTo(JobStatus.FINISHED);

        Outputs out = readOutputs();
        assertThat(out.deadLetters()).as("dead letters").isEmpty();
        List<String> all = new ArrayList<>(scenario.eventIds());
        all.addAll(lateIds);
        Accounting.assertExact(all, out.fused(), out.deadLetters(), out.dropped());

        // Exactly the late records were dropped, each as LATE, named by its own coordinates: in
        // the partition its entity's in-order records are in, after all of them.
        Map<String, ConsumerRecord<byte[], byte[]>> inputs = inputsByEventId(scenario, late);
        Map<String, DroppedEvent> dropped = new TreeMap<>();
        out.dropped().forEach(d -> assertThat(dropped.put(d.getEventId(), d)).isNull());
        assertThat(dropped.keySet()).isEqualTo(lateIds);
        for (ModalityRecord r : late) {
            DroppedEvent d = dropped.get(r.eventId);
            ConsumerRecord<byte[], byte[]> in = inputs.get(r.eventId);
            assertThat(d.getReason()).as(r.eventId).isEqualTo(DropReason.LATE);
            assertThat(d.getMessage()).as(r.eventId).contains(" is late");
            assertThat(d.getEntityId()).as(r.eventId).isEqualTo(r.entityId);
            assertThat(d.getEventTime().toEpochMilli()).as(r.eventId).isEqualTo(r.eventTime);
            assertThat(d.getSourceTopic() + "/" + d.getPartition() + "@" + d.getOffset())
                    .as(r.eventId).isEqualTo(in.topic() + "/" + in.partition() + "@" + in.offset());
            List<ConsumerRecord<byte[], byte[]>> inOrder = scenario.records.stream()
                    .filter(o -> o.entityId.equals(r.entityId) && Streams.of(o) == Streams.of(r))
                    .map(o -> inputs.get(o.eventId)).toList();
            assertThat(inOrder).as("in-order records of %s in %s", r.entityId, in.topic())
                    .isNotEmpty()
                    .allMatch(c -> c.partition() == in.partition() && c.offset() < in.offset());
        }
    }

    @Test
    void aSilentTopicDoesNotHoldBackTheFusionOfTheOthers() throws Exception {
        // No idle flush: the pushers' own windows must stay open for the exact comparison below.
        // The image topic is silent from the start: it holds the others back for the start
        // idleness (a partition without a record since the start may be one still being read).
        FusionConfig config = config(Map.of("align.policy", "window", "align.window", "1 s",
                "watermarks.idleness", "1 s", "watermarks.start-idleness", "5 s",
                "align.idle-flush-after", "0 s"));
        JobClient job = startUnbounded(config, new Configuration());

        // Text and audio near the wall clock; the image topic never gets a record.
        long now = System.currentTimeMillis();
        long t0 = now - 10_000 - Math.floorMod(now, 1000L);
        SyntheticDistribution dist = SyntheticDistribution.bundled();
        Random random = new Random(5);
        Map<String, List<String>> expected = new TreeMap<>();
        List<ModalityRecord> records = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            for (int e = 0; e < 4; e++) {
                String entity = "entity-" + e;
                long t = t0 + w * 1000L + 100 + e * 10;
                ModalityRecord text = ModalityRecord.text(0, entity + "-t" + w, entity, t,
                        "a quiet evening by the sea", null, 0, 0);
                ModalityRecord audio = ModalityRecord.features(Streams.slot(Modality.AUDIO), entity + "-a" + w,
                        entity, t + 5, audio(dist, random), null, 0, 0);
                records.add(text);
                records.add(audio);
                expected.put(entity + "@" + (t0 + w * 1000L + 999),
                        List.of(audio.eventId, text.eventId));
            }
        }
        long produced;
        try (CheckedProducer producer = new CheckedProducer(broker.bootstrapServers())) {
            for (ModalityRecord r : records) {
                producer.send(Scenario.topic(topics, Streams.of(r)), utf8(r.entityId),
                        Scenario.encode(r));
            }
            // One later record in every text and audio partition moves every active partition's
            // watermark past the three windows above (its own window stays open).
            for (int p = 0; p < PARTITIONS; p++) {
                producer.send(topics.text(), p, utf8("pusher"), Scenario.encode(ModalityRecord.text(0, 
                        "pusher-t" + p, "pusher", t0 + 5_000, "later", null, 0, 0)));
                producer.send(topics.audio(), p, utf8("pusher"), Scenario.encode(
                        ModalityRecord.features(Streams.slot(Modality.AUDIO), "pusher-a" + p, "pusher",
                                t0 + 5_000, audio(dist, random), null, 0, 0)));
            }
            producer.flush();
            produced = System.nanoTime();
        }

        List<FusedEvent> fused = new ArrayList<>();
        await("the fusions of the text and audio windows", VISIBLE_WITHIN, () -> {
            fused.clear();
            fused.addAll(CommittedTopicReader.readAll(broker.bootstrapServers(), topics.fused(),
                    FusedEvent.class, Duration.ofSeconds(10)));
            return fused.size() >= expected.size();
        });
        LOG.info("fusions visible {} ms after the input was produced",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - produced));
        Map<String, List<String>> actual = new TreeMap<>();
        for (FusedEvent f : fused) {
            String key = f.getEntityId() + "@" + f.getEventTime().toEpochMilli();
            assertThat(actual.put(key, List.copyOf(f.getSourceEventIds())))
                    .as("two fusions of %s", key).isNull();
            assertThat(f.getModalities()).as(key).containsExactly(Modality.TEXT, Modality.AUDIO);
            assertThat(f.getWeights().get(Modality.IMAGE.ordinal())).as(key).isZero();
        }
        assertThat(actual).isEqualTo(expected);

        job.cancel().get(30, TimeUnit.SECONDS);
        assertThat(awaitTerminal(job, Duration.ofSeconds(30))).isEqualTo(JobStatus.CANCELED);
        await("no Kafka client thread of the job left", Duration.ofSeconds(10),
                () -> kafkaClientThreads().isEmpty());
    }

    /**
     * Stopping with {@code --drain} must fire every open window even when the topics have been
     * quiet for longer than the idleness timeout, which is how a drained job normally looks.
     *
     * <p>Fails on Flink 2.2.1: at drain, {@code SourceOperatorStreamTask.advanceToEndOfEventTime}
     * emits the final MAX watermark into the chain's output, which drops watermarks while its
     * announced status is IDLE; with every source idle no align subtask sees it, and the windows
     * still open are never fused (FLINK-40499, fix proposed upstream). The demo's shutdown relies
     * on this drain.
     */
    @Test
    void drainingAfterTheSourcesWentIdleFiresEveryOpenWindow() throws Exception {
        Scenario scenario = Scenario.generate(6, 3, 41L);
        produce(scenario.records);
        // No idle flush, which would fuse the windows before the drain this test is about.
        FusionConfig config = config(Map.of("align.policy", "window", "align.window", "1 s",
                "watermarks.idleness", "1 s", "align.idle-flush-after", "0 s"));
        JobClient job = startUnbounded(config, new Configuration());
        awaitInputConsumed(config, Duration.ofSeconds(60));
        // Idleness is a processing-time timeout inside each source: nothing outside shows it.
        Thread.sleep(3_000);
        job.stopWithSavepoint(true, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(60, TimeUnit.SECONDS);
        assertThat(awaitTerminal(job, Duration.ofSeconds(60))).isEqualTo(JobStatus.FINISHED);

        Outputs out = readOutputs();
        Accounting.assertExact(scenario.eventIds(), out.fused(), out.deadLetters(), out.dropped());
    }

    /** One record per modality and entity, at {@code time} and a few ms after. */
    private static List<ModalityRecord> lateRecords(long time, List<String> entities) {
        SyntheticDistribution dist = SyntheticDistribution.bundled();
        Random random = new Random(3);
        float[] image = new float[dist.imageDim()];
        Arrays.fill(image, 0.5f);
        List<ModalityRecord> late = new ArrayList<>();
        for (int k = 0; k < entities.size(); k++) {
            String entity = entities.get(k);
            long t = time + 10L * k;
            late.add(ModalityRecord.text(0, entity + "-late-t", entity, t, "written far too late",
                    null, 0, 0));
            late.add(ModalityRecord.features(Streams.slot(Modality.AUDIO), entity + "-late-a", entity, t + 1,
                    audio(dist, random), null, 0, 0));
            late.add(ModalityRecord.features(Streams.slot(Modality.IMAGE), entity + "-late-i", entity, t + 2,
                    image, null, 0, 0));
        }
        return late;
    }

    private static float[] audio(SyntheticDistribution dist, Random random) {
        float[] v = new float[dist.audioDim()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    private Set<String> fusedEntities() {
        return CommittedTopicReader.readAll(broker.bootstrapServers(), topics.fused(),
                FusedEvent.class, Duration.ofSeconds(10)).stream().map(FusedEvent::getEntityId)
                .collect(Collectors.toSet());
    }

    /** Every input record of the scenario and the late records, by event id (value bytes). */
    private Map<String, ConsumerRecord<byte[], byte[]>> inputsByEventId(Scenario scenario,
            List<ModalityRecord> late) {
        Map<String, byte[]> encoded = new TreeMap<>();
        scenario.records.forEach(r -> encoded.put(r.eventId, Scenario.encode(r)));
        late.forEach(r -> encoded.put(r.eventId, Scenario.encode(r)));
        Map<String, ConsumerRecord<byte[], byte[]>> out = new TreeMap<>();
        for (String topic : List.of(topics.text(), topics.audio(), topics.image())) {
            for (ConsumerRecord<byte[], byte[]> c : CommittedTopicReader
                    .readRaw(broker.bootstrapServers(), topic, Duration.ofSeconds(30))) {
                encoded.forEach((id, bytes) -> {
                    if (Arrays.equals(bytes, c.value())) {
                        assertThat(out.put(id, c)).as("two input records of %s", id).isNull();
                    }
                });
            }
        }
        assertThat(out.keySet()).isEqualTo(encoded.keySet());
        return out;
    }

    /** Threads of Kafka clients (the job's sources and sinks, or a test's) still alive. */
    static List<String> kafkaClientThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith("kafka-producer-network-thread")
                        || n.startsWith("kafka-coordinator-heartbeat-thread")
                        || n.startsWith("kafka-admin-client-thread")
                        || n.startsWith("consumer_background_thread")
                        || n.contains("Source Data Fetcher"))
                .sorted().toList();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
