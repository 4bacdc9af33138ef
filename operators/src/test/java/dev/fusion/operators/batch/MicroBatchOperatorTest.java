package dev.fusion.operators.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusion.operators.outputs.SideOutputs;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DeadLetterReason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The micro-batching operator's invariants, one test each, on Flink's operator test harness. */
class MicroBatchOperatorTest {

    /** Batches every call sees, shared by the function copies the harness makes. */
    private static final ConcurrentLinkedQueue<List<Integer>> CALLS = new ConcurrentLinkedQueue<>();

    private OneInputStreamOperatorTestHarness<Integer, String> harness;

    @AfterEach
    void closeHarness() throws Exception {
        if (harness != null) {
            harness.close();
        }
        CALLS.clear();
    }

    @Test
    void flushesWhenTheBatchIsFull() throws Exception {
        harness = open(3, 1000);
        add(1, 10);
        add(2, 11);
        assertThat(records()).isEmpty();
        add(3, 12);
        assertThat(records()).containsExactly(record("v1", 10), record("v2", 11), record("v3", 12));
        assertThat(CALLS).containsExactly(List.of(1, 2, 3));
        add(4, 13);
        assertThat(records()).hasSize(3);
    }

    @Test
    void flushesAfterMaxDelayInProcessingTime() throws Exception {
        harness = open(100, 50);
        harness.setProcessingTime(1_000);
        add(1, 10);
        harness.setProcessingTime(1_020);
        add(2, 11);
        harness.setProcessingTime(1_049);
        assertThat(records()).isEmpty();
        harness.setProcessingTime(1_050);
        assertThat(records()).containsExactly(record("v1", 10), record("v2", 11));
        // The next batch's clock starts at its own first record.
        harness.setProcessingTime(1_060);
        add(3, 12);
        harness.setProcessingTime(1_109);
        assertThat(records()).hasSize(2);
        harness.setProcessingTime(1_110);
        assertThat(records()).hasSize(3);
        assertThat(harness.getProcessingTimeService().getNumActiveTimers()).isZero();
    }

    @Test
    void flushesAtEndOfInput() throws Exception {
        harness = open(100, 60_000);
        add(1, 10);
        add(2, 11);
        harness.endInput();
        assertThat(records()).containsExactly(record("v1", 10), record("v2", 11));
    }

    @Test
    void holdsAWatermarkBehindBufferedRecords() throws Exception {
        harness = open(3, 60_000);
        harness.processWatermark(new Watermark(5));
        add(1, 10);
        harness.processWatermark(new Watermark(20));
        harness.processWatermark(new Watermark(15));
        assertThat(harness.getOutput()).containsExactly(new Watermark(5));
        add(2, 11);
        add(3, 12);
        assertThat(harness.getOutput()).containsExactly(new Watermark(5), record("v1", 10),
                record("v2", 11), record("v3", 12), new Watermark(20));
    }

    @Test
    void forwardsAWatermarkAtOnceWhenNothingIsBuffered() throws Exception {
        harness = open(3, 60_000);
        harness.processWatermark(new Watermark(7));
        assertThat(harness.getOutput()).containsExactly(new Watermark(7));
    }

    @Test
    void keepsRecordsWithoutTimestampsWithoutTimestamps() throws Exception {
        harness = open(2, 60_000);
        harness.processElement(new StreamRecord<>(1));
        harness.processElement(new StreamRecord<>(2, 5));
        assertThat(records()).containsExactly(new StreamRecord<>("v1"), record("v2", 5));
    }

    @Test
    void aCheckpointWithAHalfFullBatchLosesAndRepeatsNothing() throws Exception {
        harness = open(4, 60_000);
        add(1, 10);
        add(2, 11);
        // The task's checkpoint sequence: pre-barrier hook, then the barrier and the snapshot.
        harness.prepareSnapshotPreBarrier(1L);
        OperatorSubtaskState snapshot = harness.snapshot(1L, 100L);
        List<StreamRecord<String>> beforeRestore = records();
        harness.close();

        harness = harness(4, 60_000);
        harness.initializeState(snapshot);
        harness.open();
        add(3, 12);
        add(4, 13);
        harness.endInput();
        List<StreamRecord<String>> afterRestore = records();

        List<StreamRecord<String>> all = new ArrayList<>(beforeRestore);
        all.addAll(afterRestore);
        assertThat(all).containsExactly(record("v1", 10), record("v2", 11), record("v3", 12),
                record("v4", 13));
    }

    @Test
    void isolatesAPoisonRecordAndKeepsItsBatchMates() throws Exception {
        harness = open(8, 60_000);
        for (int i = 1; i <= 8; i++) {
            add(i == 6 ? -6 : i, 100 + i);
        }
        assertThat(records()).containsExactly(record("v1", 101), record("v2", 102),
                record("v3", 103), record("v4", 104), record("v5", 105), record("v7", 107),
                record("v8", 108));
        assertThat(deadLetterIds()).containsExactly("-6");
        DeadLetter letter = harness.getSideOutput(SideOutputs.DEAD_LETTERS).peek().getValue();
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.INVALID);
        assertThat(letter.getMessage()).isEqualTo("inference failed: negative input -6");
        assertThat(harness.getSideOutput(SideOutputs.DEAD_LETTERS).peek().getTimestamp()).isEqualTo(106);
    }

    @Test
    void isolatesSeveralPoisonRecords() throws Exception {
        harness = open(8, 60_000);
        for (int i = 1; i <= 8; i++) {
            add(i % 3 == 0 ? -i : i, i);
        }
        assertThat(values()).containsExactly("v1", "v2", "v4", "v5", "v7", "v8");
        assertThat(deadLetterIds()).containsExactly("-3", "-6");
    }

    @Test
    void failsTheTaskWhenEveryRecordOfABatchFails() throws Exception {
        harness = open(3, 60_000);
        add(-1, 1);
        add(-2, 2);
        assertThatThrownBy(() -> add(-3, 3))
                .isInstanceOf(MicroBatchOperator.BatchFailedException.class)
                .hasMessageContaining("all 3 records of a batch failed");
        assertThat(deadLetterIds()).isEmpty();
    }

    @Test
    void aSinglePoisonRecordInABatchOfOneIsADeadLetter() throws Exception {
        harness = open(1, 60_000);
        add(-1, 1);
        add(2, 2);
        assertThat(values()).containsExactly("v2");
        assertThat(deadLetterIds()).containsExactly("-1");
    }

    @Test
    void batchOfOneAndBatchOfSixtyFourGiveIdenticalOutputs() throws Exception {
        List<StreamRecord<String>> one = runAll(1);
        List<StreamRecord<String>> many = runAll(64);
        assertThat(many).hasSize(200).isEqualTo(one);
    }

    @Test
    void rejectsInvalidOptionsNamingTheKey() {
        assertThatThrownBy(() -> new MicroBatchOptions(0, Duration.ofMillis(5)))
                .hasMessage("inference.batch-size must be at least 1, got 0");
        assertThatThrownBy(() -> new MicroBatchOptions(4, Duration.ZERO))
                .hasMessage("inference.max-delay must be at least 1 ms, got PT0S");
    }

    private List<StreamRecord<String>> runAll(int batchSize) throws Exception {
        try (OneInputStreamOperatorTestHarness<Integer, String> h = harness(batchSize, 60_000)) {
            h.open();
            for (int i = 0; i < 200; i++) {
                h.processElement(new StreamRecord<>(i, i * 3L));
            }
            h.endInput();
            List<StreamRecord<String>> out = new ArrayList<>();
            for (Object o : h.getOutput()) {
                @SuppressWarnings("unchecked")
                StreamRecord<String> r = (StreamRecord<String>) o;
                out.add(r);
            }
            return out;
        }
    }

    private OneInputStreamOperatorTestHarness<Integer, String> open(int batchSize, long maxDelayMillis)
            throws Exception {
        OneInputStreamOperatorTestHarness<Integer, String> h = harness(batchSize, maxDelayMillis);
        h.open();
        return h;
    }

    private static OneInputStreamOperatorTestHarness<Integer, String> harness(int batchSize,
            long maxDelayMillis) throws Exception {
        MicroBatchOperator<Integer, String> operator = new MicroBatchOperator<>(
                new PrefixFunction(), new NegativePoison(),
                new MicroBatchOptions(batchSize, Duration.ofMillis(maxDelayMillis)));
        OneInputStreamOperatorTestHarness<Integer, String> h =
                new OneInputStreamOperatorTestHarness<>(operator, Types.INT.createSerializer(
                        new org.apache.flink.api.common.serialization.SerializerConfigImpl()));
        return h;
    }

    private void add(int value, long timestamp) throws Exception {
        harness.processElement(new StreamRecord<>(value, timestamp));
    }

    private static StreamRecord<String> record(String value, long timestamp) {
        return new StreamRecord<>(value, timestamp);
    }

    private List<StreamRecord<String>> records() {
        List<StreamRecord<String>> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof StreamRecord<?> r) {
                @SuppressWarnings("unchecked")
                StreamRecord<String> s = (StreamRecord<String>) r;
                out.add(s);
            }
        }
        return out;
    }

    private List<String> values() {
        return records().stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }

    private List<String> deadLetterIds() {
        var side = harness.getSideOutput(SideOutputs.DEAD_LETTERS);
        if (side == null) {
            return List.of();
        }
        return side.stream().map(r -> r.getValue().getEventId()).collect(Collectors.toList());
    }

    /** Maps n to "vn"; any negative number in a batch fails the whole batch. */
    static final class PrefixFunction implements BatchFunction<Integer, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public List<String> apply(List<Integer> batch) {
            CALLS.add(List.copyOf(batch));
            for (int v : batch) {
                if (v < 0) {
                    throw new IllegalArgumentException("negative input " + v);
                }
            }
            return batch.stream().map(v -> "v" + v).collect(Collectors.toList());
        }
    }

    /** A dead letter naming the poison value as its event id. */
    static final class NegativePoison implements PoisonHandler<Integer> {
        private static final long serialVersionUID = 1L;

        @Override
        public List<DeadLetter> deadLetters(Integer record, Exception cause, long nowMillis) {
            return List.of(DeadLetter.newBuilder()
                    .setSourceTopic("test")
                    .setPartition(0)
                    .setOffset(0)
                    .setReason(DeadLetterReason.INVALID)
                    .setMessage("inference failed: " + cause.getMessage())
                    .setEventId(String.valueOf(record))
                    .setFailedAt(Instant.ofEpochMilli(nowMillis))
                    .build());
        }
    }

    static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().collect(Collectors.toList());
    }
}
