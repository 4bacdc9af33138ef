package dev.fusion.operators.align;

import dev.fusion.operators.TestStreams;
import static dev.fusion.operators.align.AlignTestSupport.DIM;
import static dev.fusion.operators.align.AlignTestSupport.at;
import static dev.fusion.operators.align.AlignTestSupport.dropped;
import static dev.fusion.operators.align.AlignTestSupport.emittedWatermarks;
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
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The alignment operator: at end of input everything pending fires; when every input is idle,
 * what is pending fuses after {@code align.idle-flush-after}, records for what was fused are then
 * LATE, and the flushed time survives a restore.
 */
@SuppressWarnings("try") // the harness's close() may throw InterruptedException
class AlignOperatorTest {

    private static final long W = 1000;
    private static final long TTL = 10_000;
    private static final long WAIT = 5000;

    private static AlignmentOptions windowOptions(long idleFlushMs) {
        return options(WINDOW, W, 0, TTL, idleFlushMs, 0);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, RoutedRecord, FusionRequest>
            window(long processingTime, OperatorSubtaskState snapshot) throws Exception {
        AlignmentOptions options = windowOptions(WAIT);
        return operator(new WindowAlignFunction(options, TestStreams.M, DIM), options, processingTime, snapshot);
    }

    private static void assertDrained(KeyedOneInputStreamOperatorTestHarness<String, RoutedRecord,
            FusionRequest> h) {
        assertThat(h.numKeyedStateEntries()).as("keyed state entries").isZero();
        assertThat(h.numEventTimeTimers()).as("event-time timers").isZero();
    }

    @Test
    void endOfInputWithoutAFinalWatermarkFiresEveryOpenWindow() throws Exception {
        AlignmentOptions options = windowOptions(0);
        try (var h = operator(new WindowAlignFunction(options, TestStreams.M, DIM), options, 0, null)) {
            RoutedRecord text = record(TEXT, "t", "e", 1_100, 1f, 1f, 2f);
            RoutedRecord audio = record(AUDIO, "a", "e", 2_200, 0.5f, 3f, 4f);
            send(h, text, audio);
            h.processWatermark(new Watermark(1_500));
            assertThat(h.extractOutputValues()).isEmpty();

            h.endInput();

            assertThat(h.extractOutputValues()).containsExactly(
                    windowFusion("e", 1_000, W, text), windowFusion("e", 2_000, W, audio));
            assertDrained(h);
        }
    }

    @Test
    void endOfInputAfterTheFinalWatermarkChangesNothing() throws Exception {
        AlignmentOptions options = options(LATEST, W, 0, TTL, 0, 0);
        try (var h = operator(new LatestAlignFunction(options, TestStreams.M, DIM), options, 0, null)) {
            RoutedRecord text = record(TEXT, "t", "e", 1_100, 1f, 1f, 2f);
            send(h, text);
            h.processWatermark(Watermark.MAX_WATERMARK);
            int outputs = h.getOutput().size();

            h.endInput();

            assertThat(h.getOutput()).hasSize(outputs);
            assertThat(h.extractOutputValues()).containsExactly(latestFusion(text));
            assertDrained(h);
        }
    }

    @Test
    void windowsOfQuietInputsFuseOnceTheWaitHasPassedTheirEnd() throws Exception {
        // Live traffic: event time runs with the wall clock (processing time).
        RoutedRecord t1 = record(TEXT, "t1", "e1", 10_100, 0f, 1f, 1f);
        RoutedRecord a1 = record(AUDIO, "a1", "e1", 11_200, 0f, 2f, 2f);
        RoutedRecord i2 = record(IMAGE, "i2", "e2", 10_150, 0f, 3f, 3f);
        try (var h = window(10_000, null)) {
            send(h, t1, a1, i2);
            h.setProcessingTime(10_600);
            h.processWatermark(10_500);
            h.setProcessingTime(11_000);
            h.processWatermarkStatus(WatermarkStatus.IDLE);

            // The first check, the wait after the last watermark, may fuse only up to
            // 10 600 - 5000: no window has ended by then.
            h.setProcessingTime(10_600 + WAIT);
            assertThat(h.extractOutputValues()).isEmpty();
            // The next one comes the wait after the latest window's end.
            h.setProcessingTime(11_999 + WAIT - 1);
            assertThat(h.extractOutputValues()).isEmpty();

            h.setProcessingTime(11_999 + WAIT);

            assertThat(h.extractOutputStreamRecords()).containsExactlyInAnyOrder(
                    at(windowFusion("e1", 10_000, W, t1), 10_999),
                    at(windowFusion("e2", 10_000, W, i2), 10_999),
                    at(windowFusion("e1", 11_000, W, a1), 11_999));
            assertThat(emittedWatermarks(h)).as("only real watermarks go downstream")
                    .containsExactly(10_500L);
            assertThat(dropped(h)).isEmpty();
            assertDrained(h);
        }
    }

    @Test
    void heldRecordsOfTheLatestPolicyTriggerAfterTheWait() throws Exception {
        // A replay of old data: event time far behind the wall clock. The flush goes only as
        // far as the latest pending trigger, not to the wall clock.
        RoutedRecord t100 = record(TEXT, "t100", "e1", 100, 0f, 1f, 1f);
        RoutedRecord a200 = record(AUDIO, "a200", "e1", 200, 0f, 2f, 2f);
        RoutedRecord i300 = record(IMAGE, "i300", "e1", 300, 0f, 3f, 3f);
        AlignmentOptions options = options(LATEST, W, 0, TTL, WAIT, 0);
        try (var h = operator(new LatestAlignFunction(options, TestStreams.M, DIM), options, 1_000_000, null)) {
            send(h, t100, a200, i300);
            h.processWatermark(150);
            assertThat(h.extractOutputValues()).containsExactly(latestFusion(t100));
            h.processWatermarkStatus(WatermarkStatus.IDLE);
            h.setProcessingTime(1_000_000 + WAIT - 1);
            assertThat(h.extractOutputValues()).hasSize(1);

            h.setProcessingTime(1_000_000 + WAIT);

            assertThat(h.extractOutputStreamRecords()).containsExactly(
                    at(latestFusion(t100), 100),
                    at(latestFusion(a200, t100), 200),
                    at(latestFusion(i300, t100, a200), 300));
            // The held records stay for triggers within the ttl; new time clears them.
            // One cleanup timer: 10.1 to 10.3 s all round up to 10.625 s, a sixteenth of the ttl.
            assertThat(h.numEventTimeTimers()).as("cleanup timers").isEqualTo(1);
            RoutedRecord a301 = record(AUDIO, "a301", "e1", 301, 0f, 4f, 4f);
            h.processWatermarkStatus(WatermarkStatus.ACTIVE);
            send(h, a301);
            h.processWatermark(10_625);
            assertThat(h.extractOutputValues()).last()
                    .isEqualTo(latestFusion(a301, t100, i300));
            assertThat(dropped(h)).isEmpty();
            assertDrained(h);
        }
    }

    @Test
    void aRecordForAWindowFusedByAnIdleFlushIsLate() throws Exception {
        RoutedRecord t1 = record(TEXT, "t1", "e1", 100, 0f, 1f, 1f);
        RoutedRecord late = record(AUDIO, "a1", "e1", 900, 0f, 2f, 2f);
        RoutedRecord next = record(AUDIO, "a2", "e1", 1000, 0f, 3f, 3f);
        try (var h = window(1_000_000, null)) {
            send(h, t1);
            h.processWatermarkStatus(WatermarkStatus.IDLE);
            h.setProcessingTime(1_000_000 + WAIT);
            assertThat(h.extractOutputValues()).containsExactly(windowFusion("e1", 0, W, t1));

            h.processWatermarkStatus(WatermarkStatus.ACTIVE);
            send(h, late, next);
            // A real watermark below the flushed time neither re-opens nor goes downstream.
            h.processWatermark(500);
            h.processWatermark(1999);

            assertThat(h.extractOutputStreamRecords()).containsExactly(
                    at(windowFusion("e1", 0, W, t1), 999),
                    at(windowFusion("e1", 1000, W, next), 1999));
            assertThat(dropped(h)).containsExactly(at(DroppedEvents.of(late, DropReason.LATE,
                    "event time 1970-01-01T00:00:00.900Z is late for window "
                            + "[1970-01-01T00:00:00Z, 1970-01-01T00:00:01Z): it came after an idle"
                            + " flush fused everything due by 1970-01-01T00:00:00.999Z (every"
                            + " input idle, nothing new for align.idle-flush-after 5000 ms),"
                            + " allowed lateness 0 ms"), 900));
            assertThat(emittedWatermarks(h)).containsExactly(1999L);
            assertDrained(h);
        }
    }

    @Test
    void watermarksThatAdvanceOrRecordsThatArriveKeepTheFlushAway() throws Exception {
        RoutedRecord t1 = record(TEXT, "t1", "e1", 1_000_000, 0f, 1f, 1f);
        try (var h = window(0, null)) {
            send(h, t1);
            // Active input, watermark creeping on, for far longer than the wait.
            for (int s = 1; s <= 30; s++) {
                h.setProcessingTime(s * 1000L);
                h.processWatermark(s * 10L);
            }
            assertThat(h.extractOutputValues()).isEmpty();

            // Idle input, but a record now and then.
            h.processWatermarkStatus(WatermarkStatus.IDLE);
            for (int s = 1; s <= 5; s++) {
                h.setProcessingTime(30_000 + s * (WAIT - 1000));
                send(h, record(AUDIO, "a" + s, "e1", 1_000_000 + s, 0f, 2f, 2f));
            }
            long last = 30_000 + 5 * (WAIT - 1000);
            h.setProcessingTime(last + WAIT - 1);
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            // Event time is far ahead of this wall clock: nothing is due by now - wait.
            h.setProcessingTime(last + WAIT);
            assertThat(h.extractOutputValues()).isEmpty();

            h.setProcessingTime(1_000_999 + WAIT);
            assertThat(h.extractOutputValues()).hasSize(1);
            assertThat(h.extractOutputValues().get(0).sourceEventIds)
                    .containsExactly("a1", "a2", "a3", "a4", "a5", "t1");
            assertDrained(h);
        }
    }

    @Test
    void noFlushWhenItIsOff() throws Exception {
        AlignmentOptions options = windowOptions(0);
        try (var h = operator(new WindowAlignFunction(options, TestStreams.M, DIM), options, 1_000_000, null)) {
            send(h, record(TEXT, "t1", "e1", 100, 0f, 1f, 1f));
            h.processWatermarkStatus(WatermarkStatus.IDLE);
            h.setProcessingTime(10_000_000);

            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
        }
    }

    @Test
    void aRestoredOperatorKeepsTheFlushedTimeAndFlushesWhatItRestored() throws Exception {
        RoutedRecord t1 = record(TEXT, "t1", "e1", 100, 0f, 1f, 1f);
        RoutedRecord a2 = record(AUDIO, "a2", "e1", 1100, 0f, 2f, 2f);
        OperatorSubtaskState flushed;
        OperatorSubtaskState pending;
        try (var h = window(1_000_000, null)) {
            send(h, t1);
            h.processWatermarkStatus(WatermarkStatus.IDLE);
            h.setProcessingTime(1_000_000 + WAIT);
            assertThat(h.extractOutputValues()).containsExactly(windowFusion("e1", 0, W, t1));
            flushed = h.snapshot(1L, 1L);
            h.processWatermarkStatus(WatermarkStatus.ACTIVE);
            send(h, a2);
            pending = h.snapshot(2L, 2L);
        }

        RoutedRecord late = record(IMAGE, "i1", "e1", 500, 0f, 3f, 3f);
        try (var restored = window(2_000_000, flushed)) {
            send(restored, late, a2);
            restored.processWatermark(1999);

            assertThat(restored.extractOutputValues())
                    .containsExactly(windowFusion("e1", 1000, W, a2));
            assertThat(dropped(restored)).extracting(d -> d.getValue().getEventId())
                    .containsExactly("i1");
            assertThat(dropped(restored).get(0).getValue().getMessage())
                    .contains("it came after an idle flush fused everything due by "
                            + "1970-01-01T00:00:00.999Z");
            assertDrained(restored);
        }

        try (var restored = window(2_000_000, pending)) {
            assertThat(restored.numEventTimeTimers()).isEqualTo(1);
            restored.processWatermarkStatus(WatermarkStatus.IDLE);
            restored.setProcessingTime(2_000_000 + WAIT);

            assertThat(restored.extractOutputStreamRecords())
                    .containsExactly(at(windowFusion("e1", 1000, W, a2), 1999));
            assertDrained(restored);
        }
    }

    @Test
    void anIdleFlushAdvancesEveryKeyAtOnce() throws Exception {
        List<RoutedRecord> records = List.of(
                record(TEXT, "t1", "e1", 100, 0f, 1f, 1f),
                record(TEXT, "t2", "e2", 2100, 0f, 2f, 2f),
                record(TEXT, "t3", "e3", 4100, 0f, 3f, 3f));
        try (var h = window(1_000_000, null)) {
            send(h, records.toArray(RoutedRecord[]::new));
            h.processWatermarkStatus(WatermarkStatus.IDLE);
            h.setProcessingTime(1_000_000 + WAIT);

            assertThat(h.extractOutputValues()).containsExactly(
                    windowFusion("e1", 0, W, records.get(0)),
                    windowFusion("e2", 2000, W, records.get(1)),
                    windowFusion("e3", 4000, W, records.get(2)));
            assertDrained(h);
        }
    }
}
