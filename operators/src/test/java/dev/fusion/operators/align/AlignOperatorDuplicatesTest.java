package dev.fusion.operators.align;

import dev.fusion.operators.TestStreams;
import static dev.fusion.operators.align.AlignTestSupport.DIM;
import static dev.fusion.operators.align.AlignTestSupport.at;
import static dev.fusion.operators.align.AlignTestSupport.dropped;
import static dev.fusion.operators.align.AlignTestSupport.latestFusion;
import static dev.fusion.operators.align.AlignTestSupport.operator;
import static dev.fusion.operators.align.AlignTestSupport.options;
import static dev.fusion.operators.align.AlignTestSupport.record;
import static dev.fusion.operators.align.AlignTestSupport.send;
import static dev.fusion.operators.align.AlignTestSupport.windowFusion;
import static dev.fusion.schemas.AlignmentPolicy.LATEST;
import static dev.fusion.schemas.AlignmentPolicy.WINDOW;
import static dev.fusion.operators.TestStreams.AUDIO;
import static dev.fusion.operators.TestStreams.IMAGE;
import static dev.fusion.operators.TestStreams.TEXT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.operators.outputs.DroppedEvents;
import dev.fusion.operators.records.FusionRequest;
import dev.fusion.operators.records.RoutedRecord;
import dev.fusion.schemas.DropReason;
import dev.fusion.schemas.DroppedEvent;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Duplicates: a copy of an event id an entity already sent within {@code align.duplicate-horizon}
 * is dropped as DUPLICATE and never fused or triggers; the ids are forgotten once the watermark
 * passes the horizon, and they survive a restore.
 */
@SuppressWarnings("try") // the harness's close() may throw InterruptedException
class AlignOperatorDuplicatesTest {

    private static final long W = 1000;
    private static final long TTL = 10_000;
    private static final long HORIZON = 16_000;

    private static KeyedOneInputStreamOperatorTestHarness<String, RoutedRecord, FusionRequest>
            window(long horizonMs, OperatorSubtaskState snapshot) throws Exception {
        AlignmentOptions options = options(WINDOW, W, 0, TTL, 0, horizonMs);
        return operator(new WindowAlignFunction(options, TestStreams.M, DIM), options, 0, snapshot);
    }

    private static StreamRecord<DroppedEvent> duplicate(RoutedRecord copy, long firstAt) {
        return at(DroppedEvents.of(copy, DropReason.DUPLICATE,
                "a copy of an event id this entity already sent (first copy at event time "
                        + EventTime.format(firstAt) + ", within align.duplicate-horizon "
                        + HORIZON + " ms): not fused again"), copy.eventTime);
    }

    private static RoutedRecord copy(RoutedRecord r, long offset) {
        RoutedRecord c = record(TestStreams.ALL.get(r.slot), r.eventId, r.entityId, r.eventTime, r.gateLogit,
                r.embedding);
        c.offset = offset;
        return c;
    }

    private static void assertDrained(KeyedOneInputStreamOperatorTestHarness<String, RoutedRecord,
            FusionRequest> h) {
        assertThat(h.numKeyedStateEntries()).as("keyed state entries").isZero();
        assertThat(h.numEventTimeTimers()).as("event-time timers").isZero();
    }

    @Test
    void aCopyInTheSameWindowIsDroppedAndTheWindowHoldsTheIdOnce() throws Exception {
        RoutedRecord t1 = record(TEXT, "t1", "e1", 100, 0f, 1f, 1f);
        RoutedRecord a1 = record(AUDIO, "a1", "e1", 200, 0f, 2f, 2f);
        RoutedRecord again = copy(t1, 5000);
        // Another entity may use the same id: ids are per entity.
        RoutedRecord other = record(TEXT, "t1", "e2", 100, 0f, 3f, 3f);
        try (var h = window(HORIZON, null)) {
            send(h, t1, a1, again, other);
            h.processWatermark(999);

            assertThat(h.extractOutputStreamRecords()).containsExactlyInAnyOrder(
                    at(windowFusion("e1", 0, W, t1, a1), 999),
                    at(windowFusion("e2", 0, W, other), 999));
            assertThat(dropped(h)).containsExactly(duplicate(again, 100));
            assertThat(h.numKeyedStateEntries()).as("the ids of e1 and e2").isEqualTo(2);

            // Forgotten at 100 + horizon, rounded up to a sixteenth of it.
            h.processWatermark(16_999);
            assertThat(h.numKeyedStateEntries()).isEqualTo(2);
            h.processWatermark(17_000);
            assertDrained(h);
        }
    }

    @Test
    void aCopySentToAnotherTopicOrWithAnotherTimeIsADuplicateToo() throws Exception {
        RoutedRecord t1 = record(TEXT, "x", "e1", 100, 0f, 1f, 1f);
        RoutedRecord asAudio = record(AUDIO, "x", "e1", 120, 0f, 2f, 2f);
        RoutedRecord later = record(TEXT, "x", "e1", 5100, 0f, 3f, 3f);
        try (var h = window(HORIZON, null)) {
            send(h, t1, asAudio);
            h.processWatermark(4000);
            send(h, later);
            h.processWatermark(6000);

            assertThat(h.extractOutputValues()).containsExactly(windowFusion("e1", 0, W, t1));
            assertThat(dropped(h)).containsExactly(duplicate(asAudio, 100),
                    duplicate(later, 100));
            h.processWatermark(17_000);
            assertDrained(h);
        }
    }

    @Test
    void aDuplicateNeverTriggersALatestFusion() throws Exception {
        RoutedRecord t100 = record(TEXT, "t100", "e1", 100, 0f, 1f, 1f);
        RoutedRecord a200 = record(AUDIO, "a200", "e1", 200, 0f, 2f, 2f);
        RoutedRecord again = copy(a200, 7000);
        AlignmentOptions options = options(LATEST, W, 0, TTL, 0, HORIZON);
        try (var h = operator(new LatestAlignFunction(options, TestStreams.M, DIM), options, 0, null)) {
            send(h, t100, a200);
            h.processWatermark(150);
            send(h, again);
            h.processWatermark(300);

            assertThat(h.extractOutputStreamRecords()).containsExactly(
                    at(latestFusion(t100), 100),
                    at(latestFusion(a200, t100), 200));
            assertThat(dropped(h)).containsExactly(duplicate(again, 200));
            h.processWatermark(17_000);
            assertDrained(h);
        }
    }

    @Test
    void beyondTheHorizonAnIdIsForgottenAndACopyOfItsTimeIsLate() throws Exception {
        RoutedRecord t1 = record(TEXT, "t1", "e1", 100, 0f, 1f, 1f);
        RoutedRecord lateCopy = copy(t1, 9000);
        RoutedRecord reused = record(TEXT, "t1", "e1", 18_100, 0f, 5f, 5f);
        try (var h = window(HORIZON, null)) {
            send(h, t1);
            h.processWatermark(17_000);
            assertDrained(h);

            send(h, lateCopy, reused);
            h.processWatermark(18_999);

            assertThat(h.extractOutputValues()).containsExactly(windowFusion("e1", 0, W, t1),
                    windowFusion("e1", 18_000, W, reused));
            assertThat(dropped(h)).extracting(d -> d.getValue().getReason())
                    .containsExactly(DropReason.LATE);
            assertThat(dropped(h).get(0).getValue().getOffset()).isEqualTo(9000);
            h.processWatermark(35_000);
            assertDrained(h);
        }
    }

    @Test
    void anIdIsRememberedAtLeastUntilItsRecordIsLateEvenWithAShortHorizon() throws Exception {
        RoutedRecord t1 = record(TEXT, "t1", "e1", 100, 0f, 1f, 1f);
        RoutedRecord again = copy(t1, 9000);
        try (var h = window(1, null)) {
            send(h, t1);
            h.processWatermark(998);
            send(h, again);
            h.processWatermark(999);

            assertThat(h.extractOutputValues()).containsExactly(windowFusion("e1", 0, W, t1));
            assertThat(dropped(h)).extracting(d -> d.getValue().getReason())
                    .containsExactly(DropReason.DUPLICATE);
            assertDrained(h);
        }
    }

    @Test
    void cleanupTimersPerEntityStayFewHoweverManyIdsItSends() throws Exception {
        try (var h = window(HORIZON, null)) {
            for (int i = 0; i < 200; i++) {
                send(h, record(TEXT, "t" + i, "e1", i * 100L, 0f, 1f, 1f));
            }
            // 20 windows; the 200 ids' cleanups, rounded up to HORIZON / 16 = 1 s, fall on the
            // 21 whole seconds from 16 000 to 36 000.
            assertThat(h.numEventTimeTimers()).isEqualTo(20 + 21);
            assertThat(h.numKeyedStateEntries()).as("e1's windows and seen ids").isEqualTo(2);

            h.processWatermark(19_999);
            assertThat(h.extractOutputValues()).hasSize(20);
            assertThat(h.numEventTimeTimers()).isEqualTo(36 - 19);
            h.processWatermark(36_000);
            assertDrained(h);
        }
    }

    @Test
    void aRestoredOperatorStillRecognisesDuplicates() throws Exception {
        RoutedRecord t1 = record(TEXT, "t1", "e1", 100, 0f, 1f, 1f);
        RoutedRecord again = copy(t1, 9000);
        OperatorSubtaskState snapshot;
        try (var h = window(HORIZON, null)) {
            send(h, t1);
            h.processWatermark(999);
            snapshot = h.snapshot(1L, 1L);
        }
        try (var restored = window(HORIZON, snapshot)) {
            send(restored, again);

            assertThat(dropped(restored)).containsExactly(duplicate(again, 100));
            assertThat(restored.extractOutputValues()).isEmpty();
            restored.processWatermark(17_000);
            assertDrained(restored);
        }
    }

    @Test
    void aRestoreWithALongerHorizonKeepsAndThenForgetsRestoredIdsByTheNewOne() throws Exception {
        RoutedRecord t1 = record(TEXT, "t1", "e1", 100, 0f, 1f, 1f);
        RoutedRecord t2 = record(TEXT, "t2", "e1", 5100, 0f, 1f, 1f);
        OperatorSubtaskState snapshot;
        try (var h = window(HORIZON, null)) {
            send(h, t1, t2);
            h.processWatermark(5999);
            snapshot = h.snapshot(1L, 1L);
        }
        try (var restored = window(2 * HORIZON, snapshot)) {
            // Past the old horizon of t1 (17 000), within the new one.
            restored.processWatermark(17_000);
            send(restored, copy(t1, 9000));
            assertThat(dropped(restored)).extracting(d -> d.getValue().getReason())
                    .containsExactly(DropReason.DUPLICATE);

            // 100 + 32 000 and 5 100 + 32 000, rounded up to 2 000: 34 000 and 38 000.
            restored.processWatermark(37_999);
            assertThat(restored.numKeyedStateEntries()).as("t2 still remembered").isEqualTo(1);
            restored.processWatermark(38_000);
            assertDrained(restored);
        }
    }

    @Test
    void withTheHorizonOffCopiesAreFusedAsBeforeAndNothingIsKept() throws Exception {
        RoutedRecord i1 = record(IMAGE, "i1", "e1", 100, 0f, 1f, 1f);
        RoutedRecord again = copy(i1, 9000);
        try (var h = window(0, null)) {
            send(h, i1, again);
            assertThat(h.numKeyedStateEntries()).as("the window only").isEqualTo(1);
            h.processWatermark(999);

            assertThat(h.extractOutputValues()).hasSize(1);
            assertThat(h.extractOutputValues().get(0).sourceEventIds)
                    .containsExactly("i1", "i1");
            assertThat(dropped(h)).isEmpty();
            assertDrained(h);
        }
    }
}
