package dev.fusion.bench.floor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.bench.pipeline.Workload;
import dev.fusion.jobs.embedded.EmbeddedKafkaBroker;
import dev.fusion.jobs.kafka.CheckedProducer;
import dev.fusion.jobs.kafka.TopicAdmin;
import dev.fusion.schemas.AlignmentPolicy;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The raw floor copies a preloaded workload exactly once, in a child JVM, over transactions; its
 * output check finds every kind of inexact output.
 */
class RawFloorITCase {

    private static final int SAMPLES = 4000;
    private static EmbeddedKafkaBroker broker;
    private static Workload workload;

    @BeforeAll
    static void preload() throws Exception {
        broker = EmbeddedKafkaBroker.start();
        workload = Workload.preload(broker.bootstrapServers(), "floor-it", SAMPLES, 50, 2, 1000, 7);
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
    }

    @Test
    void everyInputOfThePrefixIsCopiedExactlyOnce(@TempDir Path dir) throws Exception {
        // Commits every 200 ms: many transactions per partition, so a commit that loses or
        // repeats records shows.
        RawFloorRun floor = new RawFloorRun(broker.bootstrapServers(), dir, List.of("-Xmx256m"),
                500, Duration.ofMillis(200));
        long samples = workload.wholeWindows(3000);

        FloorResult r = floor.run(1, workload, samples);

        assertThat(r.inputRecords()).isEqualTo(3 * samples);
        assertThat(r.outputRecords()).isEqualTo(3 * samples);
        assertThat(r.duplicates()).isZero();
        assertThat(r.missing()).isZero();
        assertThat(r.unexpected()).isZero();
        assertThat(r.exact()).isTrue();
        assertThat(r.fusedEquivalentPerSecond()).isEqualTo(r.inputsPerSecond() / 3);
        assertThat(r.outputBytesPerRecord()).isGreaterThan(300);
        assertThat(r.peakHeapBytes()).isPositive();
        assertThat(r.vmHwmKb()).isPositive();
    }

    @Test
    void theOutputCheckCountsDuplicatesMissingAndUnexpectedRecords() throws Exception {
        String topic = "floor-check.fused";
        try (TopicAdmin admin = new TopicAdmin(broker.bootstrapServers())) {
            admin.createTopics(Map.of(topic, 1), Duration.ofSeconds(30));
        }
        SingleObjectCodec<FusedEvent> codec = SingleObjectCodec.forSpecific(FusedEvent.class);
        try (CheckedProducer producer = new CheckedProducer(broker.bootstrapServers())) {
            // Two samples: a-1 and i-1 are missing, a-0 comes twice, x-0 and i-2 are of no input.
            for (String id : List.of("t-0", "t-1", "a-0", "a-0", "i-0", "x-0", "i-2")) {
                producer.send(topic, 0, null, codec.encode(fused(id)));
            }
        }

        FloorOutput out = FloorOutput.read(broker.bootstrapServers(), topic, 2);

        assertThat(out.records()).isEqualTo(7);
        assertThat(out.duplicates()).isEqualTo(1);
        assertThat(out.missing()).isEqualTo(2);
        assertThat(out.unexpected()).isEqualTo(2);
        assertThat(out.emittedAt()).hasSize(7);
    }

    private static FusedEvent fused(String sourceEventId) {
        Instant t = Instant.parse("2026-12-01T00:00:00Z");
        return FusedEvent.newBuilder().setEntityId("entity-0").setEventTime(t)
                .setAlignment(AlignmentPolicy.LATEST).setFused(List.of(1f)).setScores(List.of(1f))
                .setWeights(List.of(1f, 0f, 0f)).setModalities(List.of())
                .setSourceEventIds(List.of(sourceEventId)).setModelVersion("check@1")
                .setEmittedAt(t).build();
    }
}
