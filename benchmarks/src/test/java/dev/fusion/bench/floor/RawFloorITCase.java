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
        workload = Workload.preload(broker.bootstrapServers(), "floor-it", SAMPLES, 50, 50, 2, 1000,
                7);
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
        assertThat(r.outputRecords()).isEqualTo(samples);
        assertThat(r.duplicates()).isZero();
        assertThat(r.missing()).isZero();
        assertThat(r.unexpected()).isZero();
        assertThat(r.exact()).isTrue();
        assertThat(r.fusedPerSecond()).isPositive();
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
            // Three samples: 0 comes twice, 1 and 2 are missing; the other records are of no
            // sample of the prefix (one outside it, one mixing two samples, one incomplete).
            for (List<String> ids : List.of(List.of("t-0", "a-0", "i-0"),
                    List.of("t-0", "a-0", "i-0"), List.of("t-3", "a-3", "i-3"),
                    List.of("t-1", "a-2", "i-1"), List.of("t-1", "a-1"))) {
                producer.send(topic, 0, null, codec.encode(fused(ids)));
            }
        }

        FloorOutput out = FloorOutput.read(broker.bootstrapServers(), topic, 3);

        assertThat(out.records()).isEqualTo(5);
        assertThat(out.duplicates()).isEqualTo(1);
        assertThat(out.missing()).isEqualTo(2);
        assertThat(out.unexpected()).isEqualTo(3);
        assertThat(out.emittedAt()).hasSize(5);
    }

    private static FusedEvent fused(List<String> sourceEventIds) {
        Instant t = Instant.parse("2026-12-01T00:00:00Z");
        return FusedEvent.newBuilder().setEntityId("entity-0").setEventTime(t)
                .setAlignment(AlignmentPolicy.LATEST).setFused(List.of(1f)).setScores(List.of(1f))
                .setWeights(List.of(1f, 0f, 0f)).setModalities(List.of())
                .setSourceEventIds(sourceEventIds).setModelVersion("check@1")
                .setEmittedAt(t).build();
    }
}
