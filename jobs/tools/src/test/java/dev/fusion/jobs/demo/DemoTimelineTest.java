package dev.fusion.jobs.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the live page reads: settings, seconds with unknown figures as null, outputs by event time,
 * a bounded history.
 */
class DemoTimelineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> STREAMS = List.of("text", "audio", "image");

    @Test
    void writesSettingsAndSecondsWithUnknownFiguresAsNull() throws Exception {
        DemoTimeline timeline = new DemoTimeline(DemoSettings.parse(new String[] {
            "--rate", "500", "--corrupt", "audio", "--corrupt-at", "7s"}), STREAMS,
                () -> List.of(new EventSecond(6, 4, 4, 3, new double[] {1.2, 1.6, 1.2})));
        timeline.add(new DemoSecond(1, new long[] {1, 2, 3}, 100.4, 0, 0, 0, -1, -1, Double.NaN,
                new double[] {Double.NaN, Double.NaN, Double.NaN}, false));
        timeline.add(new DemoSecond(8, new long[] {9, 9, 9}, 499.6, 80, 2, 1, 900, 1200, 0.875,
                new double[] {0.5, 0.0, 0.5}, true));

        JsonNode status = JSON.readTree(timeline.toJson());

        assertThat(status.get("rate").asInt()).isEqualTo(500);
        assertThat(status.get("corrupted").asText()).isEqualTo("audio");
        assertThat(status.get("corruptAtSeconds").asInt()).isEqualTo(7);
        assertThat(status.get("streams").toString()).isEqualTo("[\"text\",\"audio\",\"image\"]");
        assertThat(status.get("summary").isNull()).isTrue();
        assertThat(status.get("seconds").get(0).toString()).isEqualTo("{\"t\":1,\"in\":100,\"fused\":0,"
                + "\"deadLetters\":0,\"dropped\":0,\"p50\":null,\"p99\":null,\"accuracy\":null,"
                + "\"weights\":[null,null,null],\"corrupting\":false}");
        assertThat(status.get("seconds").get(1).toString()).isEqualTo("{\"t\":8,\"in\":500,\"fused\":80,"
                + "\"deadLetters\":2,\"dropped\":1,\"p50\":900,\"p99\":1200,\"accuracy\":0.875,"
                + "\"weights\":[0.5,0.0,0.5],\"corrupting\":true}");
        assertThat(status.get("byEventTime").toString())
                .isEqualTo("[{\"t\":6,\"fused\":4,\"accuracy\":0.75,\"weights\":[0.3,0.4,0.3]}]");
    }

    @Test
    void keepsOnlyTheLatestSeconds() throws Exception {
        DemoTimeline timeline = new DemoTimeline(DemoSettings.parse(new String[0]), STREAMS, List::of);
        for (int t = 0; t < DemoTimeline.CAPACITY + 5; t++) {
            timeline.add(new DemoSecond(t, new long[3], 0, 0, 0, 0, -1, -1, Double.NaN,
                    new double[3], false));
        }
        JsonNode seconds = JSON.readTree(timeline.toJson()).get("seconds");
        assertThat(seconds.size()).isEqualTo(DemoTimeline.CAPACITY);
        assertThat(seconds.get(0).get("t").asInt()).isEqualTo(5);
        assertThat(JSON.readTree(timeline.toJson()).get("corrupted").isNull()).isTrue();
    }

    @Test
    void waitsForAReadingPageToSeeTheSummaryButNotForAbsentPages() throws Exception {
        DemoTimeline unread = new DemoTimeline(DemoSettings.parse(new String[0]), STREAMS, List::of);
        unread.finish("done");
        long start = System.nanoTime();
        unread.awaitReadAfterFinish(Duration.ofSeconds(30));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));

        DemoTimeline read = new DemoTimeline(DemoSettings.parse(new String[0]), STREAMS, List::of);
        read.toJson();
        read.finish("done");
        Thread poll = new Thread(read::toJson);
        start = System.nanoTime();
        poll.start();
        read.awaitReadAfterFinish(Duration.ofSeconds(30));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        poll.join();
        assertThat(JSON.readTree(read.toJson()).get("summary").asText()).isEqualTo("done");
    }
}
