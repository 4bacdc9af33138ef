package dev.fusion.operators.align;

import static dev.fusion.operators.align.AlignTestSupport.at;
import static dev.fusion.operators.align.AlignTestSupport.options;
import static dev.fusion.operators.align.AlignTestSupport.record;
import static dev.fusion.operators.align.AlignTestSupport.windowFusion;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.operators.records.FusionRequest;
import dev.fusion.operators.records.RoutedRecord;
import dev.fusion.schemas.AlignmentPolicy;
import dev.fusion.schemas.Modality;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * At end of input (bounded input, or a drain whose final watermark Flink dropped because the
 * sources were idle) every pending fusion fires and the state drains.
 */
class EndOfInputAlignOperatorTest {

    @Test
    void endOfInputWithoutAFinalWatermarkFiresEveryOpenWindow() throws Exception {
        try (var harness = harness(new WindowAlignFunction(options(AlignmentPolicy.WINDOW, 1000, 0, 10_000),
                AlignTestSupport.DIM))) {
            RoutedRecord text = record(Modality.TEXT, "t", "e", 1_100, 1f, 1f, 2f);
            RoutedRecord audio = record(Modality.AUDIO, "a", "e", 2_200, 0.5f, 3f, 4f);
            harness.processElement(at(text, text.eventTime));
            harness.processElement(at(audio, audio.eventTime));
            harness.processWatermark(new Watermark(1_500));
            assertThat(harness.extractOutputValues()).isEmpty();

            harness.endInput();

            assertThat(harness.extractOutputValues()).containsExactly(
                    windowFusion("e", 1_000, 1000, text), windowFusion("e", 2_000, 1000, audio));
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void endOfInputAfterTheFinalWatermarkChangesNothing() throws Exception {
        try (var harness = harness(new LatestAlignFunction(options(AlignmentPolicy.LATEST, 1000, 0, 10_000),
                AlignTestSupport.DIM))) {
            RoutedRecord text = record(Modality.TEXT, "t", "e", 1_100, 1f, 1f, 2f);
            harness.processElement(at(text, text.eventTime));
            harness.processWatermark(Watermark.MAX_WATERMARK);
            int outputs = harness.getOutput().size();

            harness.endInput();

            assertThat(harness.getOutput()).hasSize(outputs);
            assertThat(harness.extractOutputValues()).hasSize(1);
            assertThat(harness.numKeyedStateEntries()).isZero();
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, RoutedRecord, FusionRequest> harness(
            KeyedProcessFunction<String, RoutedRecord, FusionRequest> function) throws Exception {
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(new EndOfInputAlignOperator<>(function),
                (RoutedRecord r) -> r.entityId, Types.STRING);
        harness.open();
        return harness;
    }
}
