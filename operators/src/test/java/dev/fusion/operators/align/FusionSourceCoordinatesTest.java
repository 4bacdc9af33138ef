package dev.fusion.operators.align;

import dev.fusion.operators.TestStreams;
import static dev.fusion.operators.align.AlignTestSupport.DIM;
import static dev.fusion.operators.align.AlignTestSupport.harness;
import static dev.fusion.operators.align.AlignTestSupport.options;
import static dev.fusion.operators.align.AlignTestSupport.record;
import static dev.fusion.schemas.AlignmentPolicy.LATEST;
import static dev.fusion.schemas.AlignmentPolicy.WINDOW;
import static dev.fusion.operators.TestStreams.AUDIO;
import static dev.fusion.operators.TestStreams.IMAGE;
import static dev.fusion.operators.TestStreams.TEXT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.operators.records.FusionRequest;
import dev.fusion.operators.records.RoutedRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Both alignment policies hand every fusion its sources' Kafka coordinates, index for index with
 * its source event ids, so that a fusion's dead letters can name where each event was read.
 */
class FusionSourceCoordinatesTest {

    @Test
    void aWindowFusionCarriesTheCoordinatesOfEverySourceInEventIdOrder() throws Exception {
        RoutedRecord t2 = record(TEXT, "t2", "e1", 300, 0f, 1f, 0f);
        RoutedRecord a1 = record(AUDIO, "a1", "e1", 500, 0f, 0f, 1f);
        RoutedRecord t1 = record(TEXT, "t1", "e1", 100, 0f, 1f, 1f);
        try (var h = harness(new WindowAlignFunction(options(WINDOW, 1000, 0, 1000), TestStreams.M, DIM))) {
            for (RoutedRecord r : List.of(t2, a1, t1)) {
                h.processElement(r, r.eventTime);
            }
            h.processWatermark(999);

            List<FusionRequest> out = h.extractOutputValues();
            assertThat(out).hasSize(1);
            assertThat(sources(out.get(0))).containsExactly(
                    "a1 fusion.audio/1@1500", "t1 fusion.text/0@1100", "t2 fusion.text/0@1300");
        }
    }

    @Test
    void aLatestFusionListsItsTriggerFirstWithItsCoordinates() throws Exception {
        RoutedRecord i1 = record(IMAGE, "i1", "e1", 100, 0f, 1f, 0f);
        RoutedRecord t1 = record(TEXT, "t1", "e1", 200, 0f, 0f, 1f);
        try (var h = harness(new LatestAlignFunction(options(LATEST, 1000, 0, 1000), TestStreams.M, DIM))) {
            h.processElement(i1, i1.eventTime);
            h.processWatermark(150);
            h.processElement(t1, t1.eventTime);
            h.processWatermark(250);

            List<FusionRequest> out = h.extractOutputValues();
            assertThat(out).hasSize(2);
            assertThat(sources(out.get(0))).containsExactly("i1 fusion.image/2@1100");
            assertThat(sources(out.get(1))).containsExactly(
                    "t1 fusion.text/0@1200", "i1 fusion.image/2@1100");
        }
    }

    private static List<String> sources(FusionRequest r) {
        assertThat(r.sourceTopics).hasSameSizeAs(r.sourceEventIds);
        assertThat(r.sourcePartitions).hasSameSizeAs(r.sourceEventIds);
        assertThat(r.sourceOffsets).hasSameSizeAs(r.sourceEventIds);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < r.sourceEventIds.length; i++) {
            out.add(r.sourceEventIds[i] + " " + r.sourceTopics[i] + "/" + r.sourcePartitions[i] + "@"
                    + r.sourceOffsets[i]);
        }
        return out;
    }
}
