package dev.fusion.jobs.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads each stream's health from the job's Prometheus endpoint once a second, as a user's
 * monitoring would: the {@code degraded} and {@code meanGate} gauges of every subtask, and when
 * each stream was first seen degraded. Its own thread, so a slow scrape never delays the status
 * line; a scrape that fails keeps the last health read.
 */
final class StreamHealthProbe implements Runnable {

    /** One stream's health over its subtasks: degraded in any, and the mean of their means. */
    record Health(boolean degraded, double meanGate) {
    }

    private static final String PREFIX = "flink_taskmanager_job_task_operator_stream_";
    private static final Pattern SAMPLE = Pattern.compile(
            "^" + PREFIX + "(degraded|meanGate)\\{(.*)\\}\\s+(\\S+)$");
    private static final Pattern STREAM = Pattern.compile("(?:^|,)stream=\"([^\"]*)\"");

    private final URI endpoint;
    /** Milliseconds since the producers started (0 before). */
    private final LongSupplier elapsedMillis;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofMillis(500)).build();
    /** Stream name to the elapsed demo time (ms) it was first seen degraded. */
    private final Map<String, Long> firstDegraded = new ConcurrentHashMap<>();
    private volatile Map<String, Health> latest = Map.of();
    private volatile boolean running = true;

    StreamHealthProbe(String metricsUrl, LongSupplier elapsedMillis) {
        this.endpoint = URI.create(metricsUrl);
        this.elapsedMillis = elapsedMillis;
    }

    @Override
    public void run() {
        while (running) {
            poll();
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    void stop() {
        running = false;
    }

    /**
     * The streams' health as last read (empty until the endpoint answered with the gauges,
     * which the job registers at each stream's first record).
     */
    Map<String, Health> latest() {
        return latest;
    }

    /** Stream name to the demo time (ms since the producers started) it was first degraded. */
    Map<String, Long> firstDegraded() {
        return Map.copyOf(firstDegraded);
    }

    private void poll() {
        long elapsed = elapsedMillis.getAsLong();
        String page;
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(endpoint)
                    .timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return;
            }
            page = response.body();
        } catch (IOException e) {
            // The endpoint comes up with the cluster, and a loaded machine can be slow to
            // answer: no answer is no news.
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            return;
        }
        Map<String, Health> health = parse(page);
        health.forEach((stream, h) -> {
            if (h.degraded()) {
                firstDegraded.putIfAbsent(stream, elapsed);
            }
        });
        latest = health;
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
