package dev.fusion.jobs.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads each stream's health from the job's Prometheus endpoint, as a user's monitoring would:
 * the {@code degraded} and {@code meanGate} gauges of every subtask, and when each stream was
 * first seen degraded.
 */
final class StreamHealthProbe {

    /** One stream's health over its subtasks: degraded in any, and the mean of their means. */
    record Health(boolean degraded, double meanGate) {
    }

    private static final String PREFIX = "flink_taskmanager_job_task_operator_stream_";
    private static final Pattern SAMPLE = Pattern.compile(
            "^" + PREFIX + "(degraded|meanGate)\\{(.*)\\}\\s+(\\S+)$");
    private static final Pattern STREAM = Pattern.compile("(?:^|,)stream=\"([^\"]*)\"");

    private final URI endpoint;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofMillis(500)).build();
    /** Stream name to the elapsed demo time (ms) it was first seen degraded. */
    private final Map<String, Long> firstDegraded = new TreeMap<>();

    StreamHealthProbe(String metricsUrl) {
        this.endpoint = URI.create(metricsUrl);
    }

    /**
     * The streams' health now (empty while the endpoint does not answer or the job has not
     * registered the gauges yet); {@code elapsedMillis} dates a stream's first degraded state.
     */
    Map<String, Health> poll(long elapsedMillis) {
        String page;
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(endpoint)
                    .timeout(Duration.ofSeconds(1)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return Map.of();
            }
            page = response.body();
        } catch (IOException e) {
            // The endpoint comes up with the job's first task: no answer yet is no news.
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
        Map<String, Health> health = parse(page);
        health.forEach((stream, h) -> {
            if (h.degraded()) {
                firstDegraded.putIfAbsent(stream, elapsedMillis);
            }
        });
        return health;
    }

    /** Stream name to the demo time (ms since the producers started) it was first degraded. */
    Map<String, Long> firstDegraded() {
        return Map.copyOf(firstDegraded);
    }

    /** The health of each stream on a scraped page. */
    static Map<String, Health> parse(String page) {
        Map<String, Boolean> degraded = new TreeMap<>();
        Map<String, double[]> gates = new TreeMap<>();
        for (String line : page.split("\n")) {
            Matcher m = SAMPLE.matcher(line.strip());
            if (!m.matches()) {
                continue;
            }
            Matcher s = STREAM.matcher(m.group(2));
            if (!s.find()) {
                continue;
            }
            String stream = s.group(1);
            double value = Double.parseDouble(m.group(3));
            if (m.group(1).equals("degraded")) {
                degraded.merge(stream, value == 1.0, Boolean::logicalOr);
            } else if (!Double.isNaN(value)) {
                double[] sum = gates.computeIfAbsent(stream, k -> new double[2]);
                sum[0] += value;
                sum[1]++;
            }
        }
        Map<String, Health> out = new TreeMap<>();
        degraded.forEach((stream, d) -> {
            double[] sum = gates.get(stream);
            out.put(stream, new Health(d, sum == null ? Double.NaN : sum[0] / sum[1]));
        });
        return out;
    }
}
