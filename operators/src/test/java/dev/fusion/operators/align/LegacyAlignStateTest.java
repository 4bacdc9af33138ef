package dev.fusion.operators.align;

import static dev.fusion.operators.TestStreams.AUDIO;
import static dev.fusion.operators.TestStreams.IMAGE;
import static dev.fusion.operators.TestStreams.TEXT;
import static dev.fusion.operators.align.AlignTestSupport.DIM;
import static dev.fusion.operators.align.AlignTestSupport.latestFusion;
import static dev.fusion.operators.align.AlignTestSupport.operator;
import static dev.fusion.operators.align.AlignTestSupport.options;
import static dev.fusion.operators.align.AlignTestSupport.record;
import static dev.fusion.operators.align.AlignTestSupport.windowFusion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusion.models.manifest.Modality;
import dev.fusion.operators.TestStreams;
import dev.fusion.operators.records.RoutedRecord;
import dev.fusion.schemas.AlignmentPolicy;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;

/**
 * An upgrade from a savepoint of the version before streams were configurable: snapshots its
 * alignment operator wrote (state format 1, {@code src/test/resources/state/}, made by
 * {@code WriteLegacySnapshots.java.txt} there at commit 8a31a0a) restore into today's operator,
 * whose fusions are exactly the ones the old version made from them (printed by the same
 * program), and whose next snapshot is of today's format.
 */
@SuppressWarnings("try")
class LegacyAlignStateTest {

    private static final AlignmentOptions WINDOW =
            options(AlignmentPolicy.WINDOW, 1000, 0, 10_000, 5000, 60_000);
    private static final AlignmentOptions LATEST =
            options(AlignmentPolicy.LATEST, 1000, 0, 10_000, 5000, 60_000);

    @Test
    void aWindowSnapshotOfFormatOneFusesWhatTheOldVersionFused() throws Exception {
        OperatorSubtaskState legacy = legacy("align-window-v1.snapshot");
        // The old version, restored and given the final watermark, fused: e1 [1000, 2000) of t1
        // and a1, e2 [1000, 2000) of i1, e1 [2000, 3000) of i2.
        RoutedRecord t1 = record(TEXT, "t1", "e1", 1_100, 0.5f, 1f, 2f);
        RoutedRecord a1 = record(AUDIO, "a1", "e1", 1_200, -0.5f, 3f, 4f);
        RoutedRecord i1 = record(IMAGE, "i1", "e2", 1_300, 1.5f, 5f, 6f);
        RoutedRecord i2 = record(IMAGE, "i2", "e1", 2_100, 2.5f, 7f, 8f);
        OperatorSubtaskState upgraded;
        try (var h = operator(new WindowAlignFunction(WINDOW, TestStreams.M, DIM), WINDOW, 0,
                legacy)) {
            upgraded = h.snapshot(2L, 2L);
            h.processWatermark(Long.MAX_VALUE);
            assertThat(h.extractOutputValues()).containsExactly(
                    windowFusion("e1", 1_000, 1000, t1, a1), windowFusion("e2", 1_000, 1000, i1),
                    windowFusion("e1", 2_000, 1000, i2));
        }
        // Restored again, from the snapshot the upgraded operator took: the same, with no legacy
        // records left in it.
        try (var h = operator(new WindowAlignFunction(WINDOW, TestStreams.M, DIM), WINDOW, 0,
                upgraded)) {
            h.processWatermark(Long.MAX_VALUE);
            assertThat(h.extractOutputValues()).hasSize(3);
        }
    }

    @Test
    void aLatestSnapshotOfFormatOneKeepsItsHistory() throws Exception {
        // The old version fused, after restore: i1 with the held t1 and a1, then t2 alone.
        RoutedRecord t1 = record(TEXT, "t1", "e1", 1_100, 0.5f, 1f, 2f);
        RoutedRecord a1 = record(AUDIO, "a1", "e1", 1_200, -0.5f, 3f, 4f);
        RoutedRecord i1 = record(IMAGE, "i1", "e1", 1_300, 1.5f, 5f, 6f);
        RoutedRecord t2 = record(TEXT, "t2", "e2", 1_400, 2.5f, 7f, 8f);
        try (var h = operator(new LatestAlignFunction(LATEST, TestStreams.M, DIM), LATEST, 0,
                legacy("align-latest-v1.snapshot"))) {
            h.processWatermark(Long.MAX_VALUE);
            assertThat(h.extractOutputValues()).containsExactly(latestFusion(i1, t1, a1),
                    latestFusion(t2));
        }
    }

    @Test
    void aJobThatNoLongerReadsARestoredStreamFailsNamingIt() throws Exception {
        List<Modality> withoutImage = List.of(TEXT, AUDIO,
                new Modality("depth", 2, Modality.Kind.FEATURES));
        assertThatThrownBy(() -> {
            var h = new org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness<>(
                    new AlignOperator(new WindowAlignFunction(WINDOW, 3, DIM), WINDOW, withoutImage),
                    (RoutedRecord r) -> r.entityId, org.apache.flink.api.common.typeinfo.Types.STRING);
            h.initializeState(legacy("align-window-v1.snapshot"));
            h.open();
        }).hasStackTraceContaining("the restored alignment state holds records of the stream"
                + " 'image', which this job does not read");
    }

    private static OperatorSubtaskState legacy(String name) throws Exception {
        return OperatorSnapshotUtil.readStateHandle(
                LegacyAlignStateTest.class.getResource("/state/" + name).getPath());
    }
}
