package dev.fusion.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fusion.jobs.demo.DemoCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's demo command, short: status lines, the live page as headless Chromium renders it
 * while the demo runs, then a summary with exact accounting; the corrupted stream is shown
 * degraded, read from the job's Prometheus endpoint.
 */
class DemoITCase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long CORRUPT_AT = 4;
    private static final Path SCREENSHOT = Path.of("target", "demo-page.png");

    @Test
    void aShortDemoRunsItsPageShowsTheCorruptionAndItsSummaryAccountsForEveryEvent() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        CompletableFuture<Void> demo = CompletableFuture.runAsync(() -> {
            try {
                DemoCommand.run(new String[] {"--duration", "12s", "--rate", "600", "--entities", "200",
                    "--corrupt", "audio", "--corrupt-at", "4s", "--web-port", "0", "--page-port", "0",
                    "--set", "metrics.port=0", "--set", "health.window=1s",
                    "--set", "health.degraded-after=1s"}, out);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        String page = awaitPageUrl(buffer, demo);
        JsonNode status = awaitOutputsAroundTheCorruption(page);
        assertThat(status.get("corrupted").asText()).isEqualTo("audio");
        assertThat(status.get("corruptAtSeconds").asLong()).isEqualTo(CORRUPT_AT);
        // What the page plots: the audio stream's weight falls where its input turned to noise.
        assertThat(meanAudioWeight(status, CORRUPT_AT + 1, Long.MAX_VALUE))
                .isLessThan(meanAudioWeight(status, 0, CORRUPT_AT) / 2);
        assertLivePage(HeadlessChromium.dumpDom(page, 3_000));
        HeadlessChromium.screenshot(page, 3_000, SCREENSHOT, 1280, 900);
        assertPng(SCREENSHOT, 1280, 900);

        demo.get(240, TimeUnit.SECONDS);
        String output = buffer.toString(StandardCharsets.UTF_8);
        assertThat(output).contains("Kafka broker (KRaft, embedded) at localhost:");
        assertThat(output).containsPattern("metrics: http://localhost:[0-9]+/metrics");
        assertThat(Pattern.compile("^\\[\\s*\\d+s\\] in t/a/i", Pattern.MULTILINE).matcher(output).results().count())
                .as("status lines").isGreaterThanOrEqualTo(10);
        assertExactAccounting(output, 1000);
        assertThat(output).contains("0 dead letters, 0 dropped");
        assertThat(output).containsPattern("accuracy   pipeline \\(live, max fusion\\) +\\d+\\.\\d% before corruption");
        assertThat(output).containsPattern("baselines  same models offline on 3000 samples");
        assertThat(output).contains("with audio corrupted");
        assertThat(output).containsPattern("(?m)^\\[\\s*\\d+s\\] in t/a/i .* \\[corrupting\\]"
                + " \\| DEGRADED audio \\(mean gate 0\\.\\d{3}\\)$");
        assertThat(output).doesNotContain("DEGRADED text", "DEGRADED image", ", text (mean gate",
                ", image (mean gate");
        assertThat(output).containsPattern("(?m)^health     audio degraded from \\d+ s"
                + " \\(\\d+ s after its corruption\\)$");
    }

    /**
     * A model directory of five streams of other shapes (audio 40-d, image 2048-d, depth 16-d,
     * imu 6-d, D = 32, K = 5) and no generator: the producers send each stream records its model
     * takes (no dead letters), the status lines and the summary name the five streams, the summary
     * accounts for every event and says why there is no accuracy instead of inventing one.
     */
    @Test
    void aDemoOnFiveStreamsOfOtherShapesSendsWhatTheyTakeAndSaysAccuracyIsUnavailable()
            throws Exception {
        Path fiveStream = Path.of("..", "models", "model-sets", "five-stream").toAbsolutePath()
                .normalize();
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        DemoCommand.run(new String[] {"--duration", "8s", "--rate", "300", "--entities", "100",
            "--web-port", "0", "--page-port", "0", "--set", "metrics.port=0",
            "--set", "models.dir=" + fiveStream}, out);

        String output = buffer.toString(StandardCharsets.UTF_8);
        assertExactAccounting(output, 500);
        assertThat(output).contains("0 dead letters, 0 dropped");
        assertThat(output).containsPattern("(?m)^input      \\d+ events in .*: text \\d+, audio \\d+,"
                + " image \\d+, depth \\d+, imu \\d+$");
        assertThat(output).containsPattern("(?m)^\\[\\s*\\d+s\\] in text/audio/image/depth/imu ");
        assertThat(output).containsPattern("(?m)^weights    mean text/audio/image/depth/imu"
                + " [0-9.-]+/[0-9.-]+/[0-9.-]+/[0-9.-]+/[0-9.-]+$");
        assertThat(output).contains("accuracy   unavailable: " + fiveStream
                + "/generator.json does not exist");
        assertThat(output).doesNotContain("baselines", "accuracy   pipeline");
        // Without ground truth no status line shows an accuracy.
        assertThat(output).doesNotContainPattern("(?m)^\\[.* \\| acc +\\d");
    }

    /** The summary's accounting line: every one of more than {@code atLeast} events, exactly. */
    private static void assertExactAccounting(String output, long atLeast) {
        Matcher accounting = Pattern.compile("accounting (\\d+) of (\\d+) input events accounted for .*: exact")
                .matcher(output);
        assertThat(accounting.find()).as(output).isTrue();
        assertThat(Long.parseLong(accounting.group(1))).isEqualTo(Long.parseLong(accounting.group(2)))
                .isGreaterThan(atLeast);
    }

    /** The DOM after the page's script ran: state, figures, three weight series, the corruption mark. */
    private static void assertLivePage(String dom) {
        assertThat(dom).contains("<span id=\"state\">running</span>");
        assertThat(dom).containsPattern("id=\"tile-in\">[0-9]+<");
        assertThat(dom).containsPattern("id=\"tile-dlq\">0<");
        for (String stream : new String[] {"text", "audio", "image"}) {
            Matcher series = Pattern.compile("data-series=\"weights-" + stream + "\" data-points=\"(\\d+)\"")
                    .matcher(dom);
            assertThat(series.find()).as("weights-" + stream + " in " + dom).isTrue();
            assertThat(Integer.parseInt(series.group(1))).as("points of weights-" + stream)
                    .isGreaterThanOrEqualTo(1);
        }
        for (String chart : new String[] {"weights", "throughput", "latency", "accuracy", "bad"}) {
            assertThat(dom).contains("id=\"chart-" + chart + "-corruption\" data-t=\"4\"");
        }
    }

    private static String awaitPageUrl(ByteArrayOutputStream buffer, CompletableFuture<Void> demo)
            throws Exception {
        Pattern url = Pattern.compile("live page: (http://localhost:\\d+/)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            Matcher m = url.matcher(buffer.toString(StandardCharsets.UTF_8));
            if (m.find()) {
                return m.group(1);
            }
            if (demo.isDone()) {
                demo.get();
                throw new AssertionError("the demo ended without a page: " + buffer);
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no 'live page:' line in 120 s: " + buffer);
    }

    /**
     * Polls status.json until outputs of event time before the corruption and from a second after
     * it on are in (then the page has both sides of the moment to show).
     */
    private static JsonNode awaitOutputsAroundTheCorruption(String page) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        JsonNode status = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(page + "status.json"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            status = JSON.readTree(response.body());
            if (meanAudioWeight(status, 0, CORRUPT_AT) != null
                    && meanAudioWeight(status, CORRUPT_AT + 1, Long.MAX_VALUE) != null) {
                return status;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no outputs on both sides of the corruption in 120 s: " + status);
    }

    /** Mean audio weight of the outputs whose event-time second is in [from, to), or null if none. */
    private static Double meanAudioWeight(JsonNode status, long from, long to) {
        double sum = 0;
        long fused = 0;
        for (JsonNode second : status.get("byEventTime")) {
            long t = second.get("t").asLong();
            if (t >= from && t < to) {
                sum += second.get("weights").get(1).asDouble() * second.get("fused").asLong();
                fused += second.get("fused").asLong();
            }
        }
        return fused == 0 ? null : sum / fused;
    }

    private static void assertPng(Path png, int width, int height) throws Exception {
        byte[] bytes = Files.readAllBytes(png);
        assertThat(Arrays.copyOf(bytes, 8)).isEqualTo(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        ByteBuffer header = ByteBuffer.wrap(bytes, 16, 8);
        assertThat(header.getInt()).as("width").isEqualTo(width);
        assertThat(header.getInt()).as("height").isEqualTo(height);
    }
}
