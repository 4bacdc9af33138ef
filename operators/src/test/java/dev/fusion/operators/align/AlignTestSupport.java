package dev.fusion.operators.align;

import dev.fusion.operators.TestStreams;
import dev.fusion.operators.outputs.SideOutputs;
import dev.fusion.operators.records.FusionRequest;
import dev.fusion.operators.records.RoutedRecord;
import dev.fusion.schemas.AlignmentPolicy;
import dev.fusion.schemas.DroppedEvent;
import dev.fusion.models.manifest.Modality;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/** Records, expectations and Kryo-free keyed harnesses shared by the alignment tests. */
final class AlignTestSupport {

    static final int DIM = 2;

    private AlignTestSupport() {
    }

    static AlignmentOptions options(AlignmentPolicy policy, long windowMs, long latenessMs,
            long ttlMs) {
        return new AlignmentOptions(policy, Duration.ofMillis(windowMs),
                Duration.ofMillis(latenessMs), Duration.ofMillis(ttlMs));
    }

    /** Options with an idle flush after {@code idleFlushMs} and a duplicate horizon. */
    static AlignmentOptions options(AlignmentPolicy policy, long windowMs, long latenessMs,
            long ttlMs, long idleFlushMs, long horizonMs) {
        return new AlignmentOptions(policy, Duration.ofMillis(windowMs),
                Duration.ofMillis(latenessMs), Duration.ofMillis(ttlMs),
                Duration.ofMillis(idleFlushMs), Duration.ofMillis(horizonMs));
    }

    /** A routed record whose Kafka coordinates are derived from its modality and event time. */
    static RoutedRecord record(Modality modality, String eventId, String entityId, long eventTime,
            float gateLogit, float... embedding) {
        RoutedRecord r = new RoutedRecord();
        r.slot = modality.index();
        r.eventId = eventId;
        r.entityId = entityId;
        r.eventTime = eventTime;
        r.sourceTopic = "fusion." + modality.id();
        r.partition = modality.index();
        r.offset = 1000 + eventTime;
        r.embedding = embedding;
        r.gateLogit = gateLogit;
        return r;
    }

    /** A window fusion holding exactly {@code records}, one per modality, unpooled. */
    static FusionRequest windowFusion(String entityId, long start, long windowMs,
            RoutedRecord... records) {
        FusionRequest f = FusionRequest.empty(entityId, start + windowMs - 1,
                AlignmentPolicy.WINDOW, TestStreams.M, DIM);
        f.windowStart = start;
        for (RoutedRecord r : records) {
            f.put(r.slot, r.embedding, r.gateLogit);
        }
        f.sourceEventIds = Arrays.stream(records).map(r -> r.eventId).sorted()
                .toArray(String[]::new);
        return f;
    }

    /** A latest fusion triggered by {@code trigger}, holding {@code held} (in modality order). */
    static FusionRequest latestFusion(RoutedRecord trigger, RoutedRecord... held) {
        FusionRequest f = FusionRequest.empty(trigger.entityId, trigger.eventTime,
                AlignmentPolicy.LATEST, TestStreams.M, DIM);
        f.triggerEventId = trigger.eventId;
        f.put(trigger.slot, trigger.embedding, trigger.gateLogit);
        String[] ids = new String[held.length + 1];
        ids[0] = trigger.eventId;
        for (int i = 0; i < held.length; i++) {
            f.put(held[i].slot, held[i].embedding, held[i].gateLogit);
            ids[i + 1] = held[i].eventId;
        }
        f.sourceEventIds = ids;
        return f;
    }

    /** A keyed harness around {@code function}, opened with empty state. */
    static KeyedOneInputStreamOperatorTestHarness<String, RoutedRecord, FusionRequest> harness(
            KeyedProcessFunction<String, RoutedRecord, FusionRequest> function) throws Exception {
        return harness(function, null);
    }

    /**
     * A keyed harness around {@code function}, restored from {@code snapshot} when it is not
     * null. Generic types are off, so any state that would fall back to Kryo fails the test.
     */
    static KeyedOneInputStreamOperatorTestHarness<String, RoutedRecord, FusionRequest> harness(
            KeyedProcessFunction<String, RoutedRecord, FusionRequest> function,
            OperatorSubtaskState snapshot) throws Exception {
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(function), (RoutedRecord r) -> r.entityId, Types.STRING);
        harness.getExecutionConfig().configure(noGenericTypes(),
                AlignTestSupport.class.getClassLoader());
        if (snapshot == null) {
            harness.initializeEmptyState();
        } else {
            harness.initializeState(snapshot);
        }
        harness.open();
        return harness;
    }

    /**
     * A keyed harness around an {@link AlignOperator} of {@code function} and {@code options},
     * at processing time {@code processingTime}, restored from {@code snapshot} unless null.
     */
    static KeyedOneInputStreamOperatorTestHarness<String, RoutedRecord, FusionRequest> operator(
            AlignFunction function, AlignmentOptions options, long processingTime,
            OperatorSubtaskState snapshot) throws Exception {
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new AlignOperator(function, options, TestStreams.ALL), (RoutedRecord r) -> r.entityId,
                Types.STRING);
        harness.getExecutionConfig().configure(noGenericTypes(),
                AlignTestSupport.class.getClassLoader());
        harness.setProcessingTime(processingTime);
        if (snapshot == null) {
            harness.initializeEmptyState();
        } else {
            harness.initializeState(snapshot);
        }
        harness.open();
        return harness;
    }

    /** Sends {@code records}, each with its event time as timestamp. */
    static void send(KeyedOneInputStreamOperatorTestHarness<String, RoutedRecord,
            FusionRequest> harness, RoutedRecord... records) throws Exception {
        for (RoutedRecord r : records) {
            harness.processElement(r, r.eventTime);
        }
    }

    /** The watermarks the operator emitted, in order. */
    static List<Long> emittedWatermarks(KeyedOneInputStreamOperatorTestHarness<String,
            RoutedRecord, FusionRequest> harness) {
        List<Long> marks = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof Watermark w) {
                marks.add(w.getTimestamp());
            }
        }
        return marks;
    }

    static Configuration noGenericTypes() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        return conf;
    }

    /** {@code value} as a stream record with timestamp {@code ts}. */
    static <T> StreamRecord<T> at(T value, long ts) {
        return new StreamRecord<>(value, ts);
    }

    /** Everything sent to the dropped side output so far, with timestamps. */
    static List<StreamRecord<DroppedEvent>> dropped(
            KeyedOneInputStreamOperatorTestHarness<String, RoutedRecord, FusionRequest> harness) {
        var queue = harness.getSideOutput(SideOutputs.DROPPED);
        return queue == null ? List.of() : new ArrayList<>(queue);
    }
}
