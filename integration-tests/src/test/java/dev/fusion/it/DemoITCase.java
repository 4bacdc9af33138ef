package dev.fusion.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.jobs.demo.DemoCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's demo command, short: status lines, then a summary with exact accounting; the
 * corrupted stream is shown degraded, read from the job's Prometheus endpoint.
 */
class DemoITCase {

    @Test
    void aShortDemoRunsAndItsSummaryAccountsForEveryEvent() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            // The corruption starts late enough for fusions before it on a loaded machine, where
            // the first output is visible some 8 s after the producers start.
            DemoCommand.run(new String[] {"--duration", "16s", "--rate", "300", "--entities", "200",
                "--corrupt", "audio", "--corrupt-at", "10s", "--web-port", "0",
                "--set", "metrics.port=0", "--set", "health.window=1s",
                "--set", "health.degraded-after=1s"}, out);
        }
        String output = buffer.toString(StandardCharsets.UTF_8);

        assertThat(output).contains("Kafka broker (KRaft, embedded) at localhost:");
        assertThat(output).containsPattern("metrics: http://localhost:[0-9]+/metrics");
        assertThat(Pattern.compile("^\\[\\s*\\d+s\\] in t/a/i", Pattern.MULTILINE).matcher(output).results().count())
                .as("status lines").isGreaterThanOrEqualTo(6);
        Matcher accounting = Pattern.compile("accounting (\\d+) of (\\d+) input events accounted for .*: exact")
                .matcher(output);
        assertThat(accounting.find()).as(output).isTrue();
        assertThat(Long.parseLong(accounting.group(1))).isEqualTo(Long.parseLong(accounting.group(2)))
                .isGreaterThan(1000);
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
}
