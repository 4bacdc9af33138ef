package dev.fusion.operators.align;

import dev.fusion.operators.TestStreams;
import static dev.fusion.operators.align.AlignTestSupport.DIM;
import static dev.fusion.operators.align.AlignTestSupport.at;
import static dev.fusion.operators.align.AlignTestSupport.dropped;
import static dev.fusion.operators.align.AlignTestSupport.harness;
import static dev.fusion.operators.align.AlignTestSupport.options;
import static dev.fusion.operators.align.AlignTestSupport.record;
import static dev.fusion.operators.align.AlignTestSupport.windowFusion;
import static dev.fusion.schemas.AlignmentPolicy.WINDOW;
import static dev.fusion.operators.TestStreams.AUDIO;
import static dev.fusion.operators.TestStreams.IMAGE;
import static dev.fusion.operators.TestStreams.TEXT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fusion.operators.outputs.DroppedEvents;
import dev.fusion.operators.records.FusionRequest;
import dev.fusion.operators.records.RoutedRecord;
import dev.fusion.schemas.AlignmentPolicy;
import dev.fusion.schemas.DropReason;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Window alignment on Flink's keyed operator harness: what is fused, when, and what is dropped. */
@SuppressWarnings("try") // the harness's close() may throw InterruptedException
class WindowAlignFunctionTest {

    private static final long W = 1000;

    private static WindowAlignFunction function(long latenessMs) {
        return new WindowAlignFunction(options(WINDOW, W, latenessMs, 60_000), TestStreams.M, DIM);
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
    void dropsAsOverflowWhatWouldMakeAWindowsFusedRecordLargerThanItsBudget() throws Exception {
        // Each id "t1".."t4" takes 2 + 5 bytes: a budget of 21 holds three of them.
        RoutedRecord[] texts = new RoutedRecord[4];
        for (int i = 0; i < texts.length; i++) {
            texts[i] = record(TEXT, "t" + (i + 1), "e1", 100 + i, 0f, 1f, 1f);
        }
        RoutedRecord audio = record(AUDIO, "a1", "e1", 500, 0f, 2f, 2f);
        RoutedRecord nextWindow = record(IMAGE, "i1", "e1", 1500, 0f, 3f, 3f);
        assertThat(WindowAlignFunction.sourceIdBytes("t1")).isEqualTo(7);
        assertThat(WindowAlignFunction.sourceIdBytes("\u00e9\u4e2d\ud83d\ude00")).isEqualTo(5 + 2 + 3 + 4);
        try (var h = harness(new WindowAlignFunction(options(WINDOW, W, 0, 60_000), TestStreams.M, DIM, 21))) {
            send(h, texts);
            send(h, audio, nextWindow);
            h.processWatermark(1999);

            List<FusionRequest> fused = h.extractOutputValues();
            assertThat(fused).extracting(f -> List.of(f.sourceEventIds))
                    .containsExactly(List.of("t1", "t2", "t3"), List.of("i1"));
            assertThat(dropped(h)).extracting(d -> d.getValue().getEventId() + " "
                    + d.getValue().getReason()).containsExactly("t4 OVERFLOW", "a1 OVERFLOW");
            assertThat(dropped(h).get(0).getValue().getMessage()).isEqualTo("the window"
                    + " [1970-01-01T00:00:00Z, 1970-01-01T00:00:01Z) of this entity already holds 3"
                    + " records, whose event ids take 21 of the 21 bytes a fused record can carry"
                    + " within the fused sink's max.request.size");
            assertDrained(h);
        }
    }

    @Test
    void fusesAllThreeModalitiesOfAWindowOnceItEnds() throws Exception {
        RoutedRecord text = record(TEXT, "t1", "e1", 100, 0.5f, 1f, 2f);
        RoutedRecord audio = record(AUDIO, "a1", "e1", 200, -1f, 3f, 4f);
        RoutedRecord image = record(IMAGE, "i1", "e1", 999, 2f, 5f, 6f);
        try (var h = harness(function(0))) {
            send(h, image, text, audio);
            h.processWatermark(998);
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.numEventTimeTimers()).isEqualTo(1);

            h.processWatermark(999);

            assertThat(h.extractOutputStreamRecords())
                    .containsExactly(at(windowFusion("e1", 0, W, text, audio, image), 999));
            FusionRequest fused = h.extractOutputValues().get(0);
            assertThat(fused.alignment).isEqualTo(AlignmentPolicy.WINDOW);
            assertThat(fused.eventTime).isEqualTo(999);
            assertThat(fused.windowStart).isEqualTo(0L);
            assertThat(fused.embeddings).containsExactly(1f, 2f, 3f, 4f, 5f, 6f);
            assertThat(fused.gateLogits).containsExactly(0.5f, -1f, 2f);
            assertThat(fused.mask).containsExactly(1f, 1f, 1f);
            assertThat(fused.sourceEventIds).containsExactly("a1", "i1", "t1");
            assertThat(fused.triggerEventId).isNull();
            assertThat(dropped(h)).isEmpty();
            assertDrained(h);
        }
    }

    @Test
    void poolsSeveralRecordsOfOneModalityByGateWeightedMeanAndMaxGate() throws Exception {
        float ln3 = (float) Math.log(3);
        RoutedRecord t1 = record(TEXT, "t1", "e1", 100, 0f, 1f, 0f);
        RoutedRecord t2 = record(TEXT, "t2", "e1", 300, ln3, 0f, 1f);
        RoutedRecord a1 = record(AUDIO, "a1", "e1", 500, 1f, 2f, 2f);
        try (var h = harness(function(0))) {
            send(h, t2, a1, t1);
            h.processWatermark(999);

            FusionRequest expected = FusionRequest.empty("e1", 999, AlignmentPolicy.WINDOW, TestStreams.M, DIM);
            expected.windowStart = 0L;
            ModalityPool text = ModalityPool.of(List.of(t1, t2));
            expected.put(TEXT.index(), text.embedding(), text.gateLogit());
            expected.put(AUDIO.index(), a1.embedding, a1.gateLogit);
            expected.sourceEventIds = new String[] {"a1", "t1", "t2"};
            assertThat(h.extractOutputStreamRecords()).containsExactly(at(expected, 999));

            // Weights sigmoid(0) = 0.5 and sigmoid(ln 3) = 0.75: (0.5 * [1, 0] + 0.75 * [0, 1])
            // / 1.25. ln 3 is not exact in float, hence the 1e-6 tolerance.
            FusionRequest fused = h.extractOutputValues().get(0);
            assertThat(fused.embedding(TEXT.index())).containsExactly(new float[] {0.4f, 0.6f},
                    within(1e-6f));
            assertThat(fused.gateLogits[TEXT.index()]).isEqualTo(ln3);
            assertThat(fused.embedding(AUDIO.index())).containsExactly(2f, 2f);
            assertDrained(h);
        }
    }

    @Test
    void firesOneWindowAtATimeWhenOneInputRunsFarAhead() throws Exception {
        // A replayed backlog: text is many windows ahead of audio; each timer must fuse its own
        // window only and leave the later ones buffered, untouched.
        int ahead = 50;
        RoutedRecord[] texts = new RoutedRecord[ahead];
        try (var h = harness(function(0))) {
            for (int w = 0; w < ahead; w++) {
                texts[w] = record(TEXT, "t" + w, "e1", w * W + 10, 0f, w, w);
                send(h, texts[w]);
            }
            RoutedRecord a0 = record(AUDIO, "a0", "e1", 20, 1f, 7f, 8f);
            send(h, a0);
            assertThat(h.numEventTimeTimers()).as("one timer per window").isEqualTo(ahead);

            h.processWatermark(W - 1);
            assertThat(h.extractOutputStreamRecords())
                    .containsExactly(at(windowFusion("e1", 0, W, texts[0], a0), W - 1));
            assertThat(h.numEventTimeTimers()).isEqualTo(ahead - 1);
            assertThat(h.numKeyedStateEntries()).as("the entity's later windows").isEqualTo(1);

            h.getOutput().clear();
            h.processWatermark(ahead * W);
            assertThat(h.extractOutputValues()).hasSize(ahead - 1);
            FusionRequest last = windowFusion("e1", (ahead - 1) * W, W, texts[ahead - 1]);
            assertThat(h.extractOutputStreamRecords().get(ahead - 2))
                    .isEqualTo(at(last, ahead * W - 1));
            assertDrained(h);
        }
    }

    @Test
    void masksAbsentModalitiesWithZeroRows() throws Exception {
        RoutedRecord audio = record(AUDIO, "a1", "e1", 10, 1.5f, 7f, 8f);
        try (var h = harness(function(0))) {
            send(h, audio);
            h.processWatermark(999);

            FusionRequest fused = h.extractOutputValues().get(0);
            assertThat(h.extractOutputStreamRecords())
                    .containsExactly(at(windowFusion("e1", 0, W, audio), 999));
            assertThat(fused.embeddings).containsExactly(0f, 0f, 7f, 8f, 0f, 0f);
            assertThat(fused.gateLogits).containsExactly(0f, 1.5f, 0f);
            assertThat(fused.mask).containsExactly(0f, 1f, 0f);
            assertThat(fused.sourceEventIds).containsExactly("a1");
            assertDrained(h);
        }
    }

    @Test
    void keepsWindowsAndEntitiesApart() throws Exception {
        RoutedRecord t1 = record(TEXT, "t1", "e1", 100, 0f, 1f, 1f);
        RoutedRecord t2 = record(TEXT, "t2", "e1", 1500, 0f, 2f, 2f);
        RoutedRecord a2 = record(AUDIO, "a2", "e1", 1999, 0f, 3f, 3f);
        RoutedRecord i1 = record(IMAGE, "i1", "e2", 500, 0f, 4f, 4f);
        RoutedRecord a3 = record(AUDIO, "a3", "e2", 1000, 0f, 5f, 5f);
        try (var h = harness(function(0))) {
            send(h, t1, i1, t2, a3, a2);
            assertThat(h.numEventTimeTimers()).as("one timer per entity and window").isEqualTo(4);

            h.processWatermark(999);
            assertThat(h.extractOutputStreamRecords()).containsExactlyInAnyOrder(
                    at(windowFusion("e1", 0, W, t1), 999), at(windowFusion("e2", 0, W, i1), 999));

            h.processWatermark(1999);
            assertThat(h.extractOutputStreamRecords()).containsExactlyInAnyOrder(
                    at(windowFusion("e1", 0, W, t1), 999), at(windowFusion("e2", 0, W, i1), 999),
                    at(windowFusion("e1", 1000, W, t2, a2), 1999),
                    at(windowFusion("e2", 1000, W, a3), 1999));
            assertDrained(h);
        }
    }

    @Test
    void alignsWindowsToTheEpochForNegativeEventTimes() throws Exception {
        RoutedRecord early = record(TEXT, "t1", "e1", -1000, 0f, 1f, 1f);
        RoutedRecord late = record(AUDIO, "a1", "e1", -1, 0f, 2f, 2f);
        RoutedRecord zero = record(IMAGE, "i1", "e1", 0, 0f, 3f, 3f);
        try (var h = harness(function(0))) {
            send(h, early, late, zero);
            h.processWatermark(999);

            assertThat(h.extractOutputStreamRecords()).containsExactly(
                    at(windowFusion("e1", -1000, W, early, late), -1),
                    at(windowFusion("e1", 0, W, zero), 999));
            assertDrained(h);
        }
    }

    @Test
    void recordWithinAllowedLatenessJoinsItsWindow() throws Exception {
        RoutedRecord text = record(TEXT, "t1", "e1", 100, 0f, 1f, 1f);
        RoutedRecord audio = record(AUDIO, "a1", "e1", 300, 0f, 2f, 2f);
        RoutedRecord image = record(IMAGE, "i1", "e1", 900, 0f, 3f, 3f);
        try (var h = harness(function(500))) {
            send(h, text);
            h.processWatermark(999);
            send(h, audio);
            h.processWatermark(1498);
            // One millisecond before the window closes at 999 + 500: still accepted.
            send(h, image);
            assertThat(h.extractOutputValues()).isEmpty();

            h.processWatermark(1499);

            // The fusion carries the window's last millisecond, not the time its timer fired.
            assertThat(h.extractOutputStreamRecords())
                    .containsExactly(at(windowFusion("e1", 0, W, text, audio, image), 999));
            assertThat(dropped(h)).isEmpty();
            assertDrained(h);
        }
    }

    @Test
    void recordBeyondAllowedLatenessIsDroppedLateAndNeverFused() throws Exception {
        RoutedRecord text = record(TEXT, "t1", "e1", 100, 0f, 1f, 1f);
        RoutedRecord late = record(AUDIO, "a0", "e1", 50, 0f, 2f, 2f);
        try (var h = harness(function(500))) {
            send(h, text);
            h.processWatermark(1499);
            // The window closed exactly now (999 + 500 <= 1499).
            send(h, late);
            h.processWatermark(5000);

            assertThat(h.extractOutputStreamRecords())
                    .containsExactly(at(windowFusion("e1", 0, W, text), 999));
            assertThat(dropped(h)).containsExactly(at(DroppedEvents.of(late, DropReason.LATE,
                    "event time 1970-01-01T00:00:00.050Z is late for window "
                            + "[1970-01-01T00:00:00Z, 1970-01-01T00:00:01Z): watermark "
                            + "1970-01-01T00:00:01.499Z, allowed lateness 500 ms"), 50));
            assertDrained(h);
        }
    }

    @Test
    void restoredHarnessEmitsWhatAnUninterruptedOneDoes() throws Exception {
        RoutedRecord t1 = record(TEXT, "t1", "e1", 100, 0f, 1f, 1f);
        RoutedRecord a2 = record(AUDIO, "a2", "e1", 1200, 0.5f, 2f, 2f);
        RoutedRecord i1 = record(IMAGE, "i1", "e2", 500, 0f, 3f, 3f);
        RoutedRecord t3 = record(TEXT, "t3", "e1", 1300, 1f, 4f, 4f);
        RoutedRecord t4 = record(TEXT, "t4", "e1", 1900, -1f, 6f, 6f);
        RoutedRecord i4 = record(IMAGE, "i4", "e1", 1999, 0f, 5f, 5f);
        RoutedRecord a5 = record(AUDIO, "a5", "e2", 1500, 0f, 6f, 6f);

        List<StreamRecord<? extends FusionRequest>> uninterrupted;
        OperatorSubtaskState snapshot;
        try (var h = harness(function(0))) {
            send(h, t1, a2, i1);
            h.processWatermark(999);
            send(h, t3);
            snapshot = h.snapshot(1L, 1L);
            h.getOutput().clear();
            send(h, i4, a5, t4);
            h.processWatermark(2000);
            uninterrupted = h.extractOutputStreamRecords();
        }

        FusionRequest e1 = FusionRequest.empty("e1", 1999, AlignmentPolicy.WINDOW, TestStreams.M, DIM);
        e1.windowStart = 1000L;
        ModalityPool text = ModalityPool.of(List.of(t3, t4));
        e1.put(TEXT.index(), text.embedding(), text.gateLogit());
        e1.put(AUDIO.index(), a2.embedding, a2.gateLogit);
        e1.put(IMAGE.index(), i4.embedding, i4.gateLogit);
        e1.sourceEventIds = new String[] {"a2", "i4", "t3", "t4"};
        try (var restored = harness(function(0), snapshot)) {
            assertThat(restored.numKeyedStateEntries()).as("buffered windows").isEqualTo(1);
            assertThat(restored.numEventTimeTimers()).as("pending windows").isEqualTo(1);
            send(restored, i4, a5, t4);
            restored.processWatermark(2000);

            assertThat(restored.extractOutputStreamRecords()).containsExactlyInAnyOrder(
                    at(e1, 1999), at(windowFusion("e2", 1000, W, a5), 1999));
            assertThat(restored.extractOutputStreamRecords())
                    .containsExactlyInAnyOrderElementsOf(uninterrupted);
            assertDrained(restored);
        }
    }

    @Test
    void rejectsANonPositiveEmbeddingDimension() {
        assertThatThrownBy(() -> new WindowAlignFunction(options(WINDOW, W, 0, 1), TestStreams.M, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("embedding dimension");
    }
}
