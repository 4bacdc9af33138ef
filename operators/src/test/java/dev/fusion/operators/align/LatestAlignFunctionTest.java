package dev.fusion.operators.align;

import dev.fusion.operators.TestStreams;
import static dev.fusion.operators.align.AlignTestSupport.DIM;
import static dev.fusion.operators.align.AlignTestSupport.at;
import static dev.fusion.operators.align.AlignTestSupport.dropped;
import static dev.fusion.operators.align.AlignTestSupport.harness;
import static dev.fusion.operators.align.AlignTestSupport.latestFusion;
import static dev.fusion.operators.align.AlignTestSupport.options;
import static dev.fusion.operators.align.AlignTestSupport.record;
import static dev.fusion.schemas.AlignmentPolicy.LATEST;
import static dev.fusion.operators.TestStreams.AUDIO;
import static dev.fusion.operators.TestStreams.IMAGE;
import static dev.fusion.operators.TestStreams.TEXT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.operators.outputs.DroppedEvents;
import dev.fusion.operators.records.FusionRequest;
import dev.fusion.operators.records.RoutedRecord;
import dev.fusion.schemas.DropReason;
import dev.fusion.models.manifest.Modality;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Latest alignment (zero-order hold) on Flink's keyed operator harness. */
@SuppressWarnings("try") // the harness's close() may throw InterruptedException
class LatestAlignFunctionTest {

    private static final long TTL = 1000;

    private static LatestAlignFunction function(long latenessMs) {
        return function(latenessMs, TTL);
    }

    private static LatestAlignFunction function(long latenessMs, long ttlMs) {
        return new LatestAlignFunction(options(LATEST, 1000, latenessMs, ttlMs), TestStreams.M, DIM);
    }

    private static void send(KeyedOneInputStreamOperatorTestHarness<String, RoutedRecord,
            FusionRequest> h, RoutedRecord... records) throws Exception {
        for (RoutedRecord r : records) {
            h.processElement(r, r.eventTime);
        }
    }

    private static void assertDrained(KeyedOneInputStreamOperatorTestHarness<String, RoutedRecord,
            FusionRequest> h) {
        assertThat(h.numKeyedStateEntries()).as("keyed state entries").isZero();
        assertThat(h.numEventTimeTimers()).as("event-time timers").isZero();
    }

    @Test
    void eachTriggerHoldsTheNewestRecordOfEveryOtherModality() throws Exception {
        RoutedRecord t100 = record(TEXT, "t100", "e1", 100, 0.1f, 1f, 1f);
        RoutedRecord a200 = record(AUDIO, "a200", "e1", 200, 0.2f, 2f, 2f);
        RoutedRecord i300 = record(IMAGE, "i300", "e1", 300, 0.3f, 3f, 3f);
        RoutedRecord t400 = record(TEXT, "t400", "e1", 400, 0.4f, 4f, 4f);
        RoutedRecord other = record(AUDIO, "a250", "e2", 250, 0.5f, 5f, 5f);
        try (var h = harness(function(0))) {
            send(h, t100, a200, other, i300, t400);
            h.processWatermark(400);

            assertThat(h.extractOutputStreamRecords()).containsExactly(
                    at(latestFusion(t100), 100),
                    at(latestFusion(a200, t100), 200),
                    at(latestFusion(other), 250),
                    at(latestFusion(i300, t100, a200), 300),
                    at(latestFusion(t400, a200, i300), 400));
            FusionRequest third = h.extractOutputValues().get(3);
            assertThat(third.triggerEventId).isEqualTo("i300");
            assertThat(third.sourceEventIds).containsExactly("i300", "t100", "a200");
            assertThat(third.embeddings).containsExactly(1f, 1f, 2f, 2f, 3f, 3f);
            assertThat(third.gateLogits).containsExactly(0.1f, 0.2f, 0.3f);
            assertThat(third.mask).containsExactly(1f, 1f, 1f);
            assertThat(third.windowStart).isNull();
            assertThat(dropped(h)).isEmpty();
        }
    }

    @Test
    void heldRecordIsUsedUpToExactlyTtlAndNotAfter() throws Exception {
        RoutedRecord t0 = record(TEXT, "t0", "e1", 0, 0f, 1f, 1f);
        RoutedRecord a1000 = record(AUDIO, "a1000", "e1", 1000, 0f, 2f, 2f);
        RoutedRecord i1001 = record(IMAGE, "i1001", "e1", 1001, 0f, 3f, 3f);
        try (var h = harness(function(0))) {
            send(h, t0);
            h.processWatermark(999);
            send(h, a1000, i1001);
            // t0's cleanup timer (0 + ttl) and a1000's trigger are one timer: the trigger must
            // still see t0.
            h.processWatermark(1001);

            assertThat(h.extractOutputStreamRecords()).containsExactly(
                    at(latestFusion(t0), 0),
                    at(latestFusion(a1000, t0), 1000),
                    at(latestFusion(i1001, a1000), 1001));
        }
    }

    @Test
    void recordsAtOneTimestampTriggerInModalityThenEventIdOrder() throws Exception {
        RoutedRecord i1 = record(IMAGE, "i1", "e1", 500, 0f, 1f, 1f);
        RoutedRecord t2 = record(TEXT, "t2", "e1", 500, 0f, 2f, 2f);
        RoutedRecord t1 = record(TEXT, "t1", "e1", 500, 0f, 3f, 3f);
        RoutedRecord a1 = record(AUDIO, "a1", "e1", 500, 0f, 4f, 4f);
        try (var h = harness(function(0))) {
            send(h, i1, t2, t1, a1);
            h.processWatermark(500);

            // Every record at 500 is in the history before the first trigger; of two texts at
            // the same time the greater event id wins.
            assertThat(h.extractOutputStreamRecords()).containsExactly(
                    at(latestFusion(t1, a1, i1), 500),
                    at(latestFusion(t2, a1, i1), 500),
                    at(latestFusion(a1, t2, i1), 500),
                    at(latestFusion(i1, t2, a1), 500));
        }
    }

    @Test
    void outOfOrderArrivalBeforeTheWatermarkIsHandledInEventTimeOrder() throws Exception {
        RoutedRecord t100 = record(TEXT, "t100", "e1", 100, 0f, 1f, 1f);
        RoutedRecord a200 = record(AUDIO, "a200", "e1", 200, 0f, 2f, 2f);
        RoutedRecord i300 = record(IMAGE, "i300", "e1", 300, 0f, 3f, 3f);
        List<StreamRecord<? extends FusionRequest>> inOrder;
        try (var h = harness(function(0))) {
            send(h, t100, a200, i300);
            h.processWatermark(300);
            inOrder = h.extractOutputStreamRecords();
        }
        try (var h = harness(function(0))) {
            send(h, i300, t100, a200);
            h.processWatermark(300);

            assertThat(h.extractOutputStreamRecords()).containsExactly(
                    at(latestFusion(t100), 100),
                    at(latestFusion(a200, t100), 200),
                    at(latestFusion(i300, t100, a200), 300));
            assertThat(h.extractOutputStreamRecords()).containsExactlyElementsOf(inOrder);
        }
    }

    @Test
    void pendingTriggersReleasedByOneWatermarkStillHoldOlderRecords() throws Exception {
        RoutedRecord t0 = record(TEXT, "t0", "e1", 0, 0f, 1f, 1f);
        RoutedRecord a80 = record(AUDIO, "a80", "e1", 80, 0f, 2f, 2f);
        RoutedRecord i90 = record(IMAGE, "i90", "e1", 90, 0f, 3f, 3f);
        try (var h = harness(function(0, 100))) {
            send(h, t0);
            h.processWatermark(0);
            send(h, a80, i90);
            // Far past every record: pruning by this watermark alone would forget t0 and a80
            // before i90's trigger runs.
            h.processWatermark(1000);

            assertThat(h.extractOutputStreamRecords()).containsExactly(
                    at(latestFusion(t0), 0),
                    at(latestFusion(a80, t0), 80),
                    at(latestFusion(i90, t0, a80), 90));
            assertDrained(h);
        }
    }

    @Test
    void heldRecordNewerThanTheTriggerIsNotUsed() throws Exception {
        RoutedRecord t400 = record(TEXT, "t400", "e1", 400, 0f, 1f, 1f);
        RoutedRecord a200 = record(AUDIO, "a200", "e1", 200, 0f, 2f, 2f);
        RoutedRecord i450 = record(IMAGE, "i450", "e1", 450, 0f, 3f, 3f);
        try (var h = harness(function(500))) {
            send(h, t400);
            h.processWatermark(400);
            // Behind the watermark but within the allowed lateness.
            send(h, a200);
            h.processWatermark(401);
            send(h, i450);
            h.processWatermark(450);

            assertThat(h.extractOutputStreamRecords()).containsExactly(
                    at(latestFusion(t400), 400),
                    at(latestFusion(a200), 200),
                    at(latestFusion(i450, t400, a200), 450));
            assertThat(dropped(h)).isEmpty();
        }
    }

    @Test
    void recordAtTheWatermarkIsLateWithoutLateness() throws Exception {
        RoutedRecord late = record(TEXT, "t1000", "e1", 1000, 0f, 1f, 1f);
        RoutedRecord onTime = record(AUDIO, "a1001", "e1", 1001, 0f, 2f, 2f);
        try (var h = harness(function(0))) {
            h.processWatermark(1000);
            send(h, late, onTime);
            h.processWatermark(1001);

            assertThat(dropped(h)).containsExactly(at(DroppedEvents.of(late, DropReason.LATE,
                    "event time 1970-01-01T00:00:01Z is late: watermark 1970-01-01T00:00:01Z, "
                            + "allowed lateness 0 ms"), 1000));
            assertThat(h.extractOutputStreamRecords())
                    .containsExactly(at(latestFusion(onTime), 1001));
        }
    }

    @Test
    void recordBeyondAllowedLatenessIsDroppedLateAndNeverFused() throws Exception {
        RoutedRecord late = record(TEXT, "t900", "e1", 900, 0f, 1f, 1f);
        RoutedRecord justInTime = record(AUDIO, "a901", "e1", 901, 0f, 2f, 2f);
        try (var h = harness(function(100))) {
            h.processWatermark(1000);
            send(h, late, justInTime);
            assertThat(h.extractOutputValues()).as("a timer behind the watermark waits for the "
                    + "next one").isEmpty();
            h.processWatermark(1001);
            h.processWatermark(5000);

            assertThat(dropped(h)).containsExactly(at(DroppedEvents.of(late, DropReason.LATE,
                    "event time 1970-01-01T00:00:00.900Z is late: watermark "
                            + "1970-01-01T00:00:01Z, allowed lateness 100 ms"), 900));
            assertThat(h.extractOutputStreamRecords())
                    .containsExactly(at(latestFusion(justInTime), 901));
            assertDrained(h);
        }
    }

    @Test
    void stateAndTimersAreGoneOnceTheWatermarkPassesNewestPlusTtlPlusLatenessRoundedUp()
            throws Exception {
        long lateness = 200;
        try (var h = harness(function(lateness))) {
            send(h, record(TEXT, "t100", "e1", 100, 0f, 1f, 1f),
                    record(AUDIO, "a400", "e1", 400, 0f, 2f, 2f),
                    record(IMAGE, "i50", "e2", 50, 0f, 3f, 3f));
            h.processWatermark(400);
            assertThat(h.extractOutputValues()).hasSize(3);

            // 400 + ttl + lateness = 1600, rounded up to a multiple of ttl / 16 = 62 ms: 1612.
            h.processWatermark(1611);
            assertThat(h.numKeyedStateEntries()).as("e1 may still hold a400").isPositive();
            assertThat(h.numEventTimeTimers()).as("e1's cleanup timer").isEqualTo(1);

            h.processWatermark(1612);
            assertDrained(h);
            assertThat(h.extractOutputValues()).hasSize(3);
        }
    }

    @Test
    void anEntitySendingOftenSharesCleanupTimersAndIsStillCleanedUp() throws Exception {
        try (var h = harness(function(0))) {
            for (int i = 0; i < 100; i++) {
                send(h, record(TEXT, String.format("t%02d", i), "e1", i * 10L, 0f, i, i));
                h.processWatermark(i * 10L);
            }
            assertThat(h.extractOutputValues()).hasSize(100);
            // Cleanups due from 1000 to 1990 ms, in steps of ttl / 16 = 62 ms.
            assertThat(h.numEventTimeTimers()).as("cleanup timers of 100 triggers")
                    .isLessThanOrEqualTo(17);

            h.processWatermark(2045);
            assertThat(history(h, "e1", TEXT)).extracting(r -> r.eventId).containsExactly("t99");
            h.processWatermark(2046);
            assertDrained(h);
        }
    }

    @Test
    void historyKeepsOnlyTheNewestRecordPerModalityBehindTheWatermark() throws Exception {
        try (var h = harness(function(0))) {
            for (int i = 0; i < 50; i++) {
                send(h, record(TEXT, String.format("t%02d", i), "e1", i * 10L, 0f, i, i));
                h.processWatermark(i * 10L);
            }
            RoutedRecord audio = record(AUDIO, "a", "e1", 1000, 0f, 0f, 0f);
            send(h, audio);
            h.processWatermark(1000);

            assertThat(history(h, "e1", TEXT)).extracting(r -> r.eventId).containsExactly("t49");
            assertThat(h.extractOutputValues()).last()
                    .isEqualTo(latestFusion(audio, record(TEXT, "t49", "e1", 490, 0f, 49, 49)));
        }
    }

    @Test
    void restoredHarnessEmitsWhatAnUninterruptedOneDoes() throws Exception {
        RoutedRecord t100 = record(TEXT, "t100", "e1", 100, 0f, 1f, 1f);
        RoutedRecord a200 = record(AUDIO, "a200", "e1", 200, 0f, 2f, 2f);
        RoutedRecord i300 = record(IMAGE, "i300", "e1", 300, 0f, 3f, 3f);
        RoutedRecord a250 = record(AUDIO, "a250", "e1", 250, 0f, 4f, 4f);
        RoutedRecord t260 = record(TEXT, "t260", "e2", 260, 0f, 5f, 5f);

        List<StreamRecord<? extends FusionRequest>> uninterrupted;
        OperatorSubtaskState snapshot;
        try (var h = harness(function(0))) {
            send(h, t100, a200);
            h.processWatermark(200);
            send(h, i300, a250, t260);
            snapshot = h.snapshot(1L, 1L);
            h.getOutput().clear();
            h.processWatermark(400);
            uninterrupted = h.extractOutputStreamRecords();
        }
        try (var restored = harness(function(0), snapshot)) {
            restored.processWatermark(400);

            assertThat(restored.extractOutputStreamRecords()).containsExactly(
                    at(latestFusion(a250, t100), 250),
                    at(latestFusion(t260), 260),
                    at(latestFusion(i300, t100, a250), 300));
            assertThat(restored.extractOutputStreamRecords())
                    .containsExactlyElementsOf(uninterrupted);
            restored.processWatermark(1302); // 300 + ttl, rounded up to a multiple of 62 ms
            assertDrained(restored);
        }
    }

    private static List<RoutedRecord> history(KeyedOneInputStreamOperatorTestHarness<String,
            RoutedRecord, FusionRequest> h, String entityId, Modality modality) throws Exception {
        KeyedStateBackend<String> backend = h.getOperator().getKeyedStateBackend();
        backend.setCurrentKey(entityId);
        MapState<Integer, RoutedRecord[]> history = backend.getPartitionedState(
                VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                LatestAlignFunction.historyDescriptor());
        RoutedRecord[] held = history.get(modality.index());
        return held == null ? List.of() : new ArrayList<>(List.of(held));
    }
}
