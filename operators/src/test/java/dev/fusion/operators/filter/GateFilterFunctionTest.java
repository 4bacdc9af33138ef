package dev.fusion.operators.filter;

import dev.fusion.operators.TestStreams;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusion.operators.health.HealthOptions;
import dev.fusion.operators.outputs.DroppedEvents;
import dev.fusion.operators.outputs.SideOutputs;
import dev.fusion.operators.records.RoutedRecord;
import dev.fusion.schemas.DropReason;
import dev.fusion.schemas.DroppedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The level-1 gate filter on Flink's operator harness. */
@SuppressWarnings("try") // the harness's close() may throw InterruptedException
class GateFilterFunctionTest {

    private static final HealthOptions HEALTH = new HealthOptions(0.3, Duration.ofSeconds(10),
            Duration.ofSeconds(10));

    private static RoutedRecord record(String eventId, float gateLogit) {
        RoutedRecord r = new RoutedRecord();
        r.slot = TestStreams.AUDIO.index();
        r.eventId = eventId;
        r.entityId = "e1";
        r.eventTime = 1234;
        r.sourceTopic = "fusion.audio";
        r.partition = 2;
        r.offset = 77;
        r.embedding = new float[] {1f, 2f};
        r.gateLogit = gateLogit;
        return r;
    }

    private static OneInputStreamOperatorTestHarness<RoutedRecord, RoutedRecord> harness(
            double minGate) throws Exception {
        var harness = new OneInputStreamOperatorTestHarness<>(
                new ProcessOperator<>(new GateFilterFunction(TestStreams.AUDIO, minGate, HEALTH)));
        harness.getExecutionConfig().configure(
                new Configuration().set(PipelineOptions.GENERIC_TYPES, false),
                GateFilterFunctionTest.class.getClassLoader());
        harness.open();
        return harness;
    }

    private static List<StreamRecord<DroppedEvent>> dropped(
            OneInputStreamOperatorTestHarness<RoutedRecord, RoutedRecord> harness) {
        var queue = harness.getSideOutput(SideOutputs.DROPPED);
        return queue == null ? List.of() : new ArrayList<>(queue);
    }

    @Test
    void dropsARecordBelowTheMinimumGateAsFiltered() throws Exception {
        // sigmoid(-2) = 0.1192
        RoutedRecord weak = record("a1", -2f);
        try (var h = harness(0.2)) {
            h.processElement(weak, 1234);

            assertThat(h.extractOutputStreamRecords()).isEmpty();
            assertThat(dropped(h)).containsExactly(new StreamRecord<>(DroppedEvents.of(weak,
                    DropReason.FILTERED, "gate 0.1192 below routing.min-gate 0.2000"), 1234));
        }
    }

    @Test
    void passesRecordsAtOrAboveTheMinimumGateUnchanged() throws Exception {
        RoutedRecord atThreshold = record("a1", 0f);
        RoutedRecord strong = record("a2", 3f);
        try (var h = harness(0.5)) {
            h.processElement(atThreshold, 1234);
            h.processElement(strong, 99);

            assertThat(h.extractOutputStreamRecords()).containsExactly(
                    new StreamRecord<>(record("a1", 0f), 1234),
                    new StreamRecord<>(record("a2", 3f), 99));
            assertThat(dropped(h)).isEmpty();
        }
    }

    @Test
    void zeroMinimumGateLetsEveryRecordThrough() throws Exception {
        try (var h = harness(0)) {
            h.processElement(record("a1", -1000f), 5);
            h.processElement(record("a2", Float.NEGATIVE_INFINITY), 6);

            assertThat(h.extractOutputStreamRecords()).containsExactly(
                    new StreamRecord<>(record("a1", -1000f), 5),
                    new StreamRecord<>(record("a2", Float.NEGATIVE_INFINITY), 6));
            assertThat(dropped(h)).isEmpty();
        }
    }

    @Test
    void rejectsAMinimumGateOutsideZeroToOne() {
        for (double bad : new double[] {-0.01, 1.0, Double.NaN}) {
            assertThatThrownBy(() -> new GateFilterFunction(TestStreams.AUDIO, bad, HEALTH))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("routing.min-gate must be in [0, 1), got " + bad);
        }
    }
}
