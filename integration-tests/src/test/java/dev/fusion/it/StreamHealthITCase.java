package dev.fusion.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.jobs.FusionJobMain;
import dev.fusion.jobs.cli.LocalCluster;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import dev.fusion.jobs.embedded.EmbeddedKafkaBroker;
import dev.fusion.jobs.kafka.TopicAdmin;
import dev.fusion.jobs.lifecycle.LocalState;
import dev.fusion.jobs.synthetic.SyntheticDistribution;
import dev.fusion.jobs.synthetic.SyntheticLoad;
import dev.fusion.models.runtime.LogCapture;
import dev.fusion.operators.health.StreamGateMonitor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stream health where users meet it: the job runs as {@code ./fusion run} runs it (Prometheus
 * reporter on a free port), the synthetic producer corrupts the audio stream mid-run, and the
 * scraped {@code degraded} gauge of every audio subtask goes to 1 while those of text and image
 * stay 0 throughout; each audio subtask logs exactly one WARN line, nothing else does. The
 * Grafana dashboard's metric names are checked against the same scraped page.
 */
class StreamHealthITCase {

    private static final int PARTITIONS = 3;
    private static final int PARALLELISM = 2;
    private static final long CORRUPT_AFTER_MILLIS = 8_000;
    private static final String DEGRADED = "flink_taskmanager_job_task_operator_stream_degraded";
    private static final String MEAN_GATE = "flink_taskmanager_job_task_operator_stream_meanGate";
    private static final Pattern SAMPLE = Pattern.compile(
            "^([A-Za-z_:][A-Za-z0-9_:]*)\\{(.*)\\}\\s+(\\S+)$");
    private static final Pattern LABEL = Pattern.compile(
            "([A-Za-z_][A-Za-z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    /** A metric name in a PromQL expression of the dashboard. */
    private static final Pattern DASHBOARD_METRIC = Pattern.compile("flink_[A-Za-z0-9_]+");

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void theCorruptedStreamTurnsDegradedAndTheOthersStayHealthy() throws Exception {
        Topics topics = new Topics("health" + System.nanoTime());
        try (TopicAdmin admin = new TopicAdmin(broker.bootstrapServers())) {
            admin.createTopics(topics.partitions(PARTITIONS), Duration.ofSeconds(30));
        }
        FusionConfig config = config(topics);
        int metricsPort = LocalCluster.metricsPort(config);
        URI endpoint = URI.create(LocalCluster.metricsUrl(metricsPort));
        StreamExecutionEnvironment env = LocalCluster.environment(config,
                LocalCluster.resolvePort(0), metricsPort, LocalState.temporary(config),
                new Configuration());
        FusionJobMain.submit(env, config);

        try (LogCapture log = new LogCapture(StreamGateMonitor.class)) {
            JobClient job = env.executeAsync(config.get(FusionOptions.JOB_NAME));
            SyntheticLoad load = new SyntheticLoad(new SyntheticLoad.Settings(
                    broker.bootstrapServers(), List.of(topics.text(), topics.audio(), topics.image()),
                    150, 100, 5L, "audio", CORRUPT_AFTER_MILLIS),
                    SyntheticDistribution.bundled());
            Thread producer = new Thread(load, "health-it-producer");
            List<String> scraped = new ArrayList<>();
            try {
                // The decode operators are open: the job reads from the start of the load.
                await("the job's tasks to register their metrics", Duration.ofSeconds(90),
                        () -> scrape(endpoint).contains("_stream_recordsIn{"));
                producer.start();

                Map<String, Double> last = Map.of();
                long flippedAt = -1;
                long deadline = System.currentTimeMillis() + 90_000;
                while (System.currentTimeMillis() < deadline) {
                    String page = scrape(endpoint);
                    long now = System.currentTimeMillis();
                    last = samples(page, DEGRADED);
                    for (Map.Entry<String, Double> e : last.entrySet()) {
                        if (!e.getKey().startsWith("audio/")) {
                            assertThat(e.getValue()).as("%s at %d ms, gates %s", e.getKey(),
                                    now - load.startedAt(), samples(page, MEAN_GATE))
                                    .isEqualTo(0.0);
                        } else if (!load.corrupting()) {
                            assertThat(e.getValue()).as("%s before the corruption", e.getKey())
                                    .isEqualTo(0.0);
                        }
                    }
                    if (flippedAt < 0 && audioDegraded(last)) {
                        flippedAt = now;
                        scraped.add(page);
                    }
                    // Run on 3 s after the flip: text and image must stay healthy meanwhile.
                    if (flippedAt > 0 && now - flippedAt > 3_000) {
                        scraped.add(page);
                        break;
                    }
                    Thread.sleep(200);
                }
                assertThat(flippedAt).as("audio's degraded gauges (last scraped: %s)", last)
                        .isPositive();
                System.out.printf("StreamHealthITCase: degraded gauge flipped %d ms after the"
                        + " corruption started (window %s, degraded-after %s)%n",
                        flippedAt - load.startedAt() - CORRUPT_AFTER_MILLIS,
                        config.get(FusionOptions.HEALTH_WINDOW),
                        config.get(FusionOptions.HEALTH_DEGRADED_AFTER));
            } finally {
                load.stop();
                producer.join(10_000);
                job.cancel().get(30, TimeUnit.SECONDS);
                // Before the broker stops: a producer left behind would outlive this class.
                KafkaClientThreads.awaitGone(topics.suffix(), Duration.ofSeconds(60));
            }

            String page = scraped.get(scraped.size() - 1);
            Map<String, Double> degraded = samples(page, DEGRADED);
            assertThat(degraded).isEqualTo(Map.of("audio/0", 1.0, "audio/1", 1.0,
                    "image/0", 0.0, "image/1", 0.0, "text/0", 0.0, "text/1", 0.0));
            Map<String, Double> gates = samples(page, MEAN_GATE);
            assertThat(gates).allSatisfy((stream, gate) -> assertThat(gate).as(stream)
                    .isBetween(stream.startsWith("audio/") ? 0.0 : 0.5,
                            stream.startsWith("audio/") ? 0.1 : 1.0));
            System.out.println("StreamHealthITCase: mean gates per stream/subtask " + gates);

            List<String> warnings = log.messages(Level.WARN);
            assertThat(warnings).as("one WARN line per audio subtask").hasSize(PARALLELISM)
                    .allMatch(w -> w.startsWith("stream audio degraded (subtask "));
            assertThat(warnings.stream().map(w -> w.substring(0, w.indexOf(')') + 1)))
                    .containsExactlyInAnyOrder("stream audio degraded (subtask 1/2)",
                            "stream audio degraded (subtask 2/2)");
            assertThat(log.messages(Level.INFO)).as("no stream recovered").isEmpty();

            assertThat(dashboardMetrics()).as("metrics the Grafana dashboard queries")
                    .isNotEmpty().isSubsetOf(metricNames(page));
        }
    }

    private static boolean audioDegraded(Map<String, Double> degraded) {
        return degraded.containsKey("audio/0") && degraded.containsKey("audio/1")
                && degraded.get("audio/0") == 1.0 && degraded.get("audio/1") == 1.0;
    }

    /** The names of the metrics with samples on a scraped page. */
    private static Set<String> metricNames(String page) {
        Set<String> names = new TreeSet<>();
        for (String line : page.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    /** The samples of {@code metric} by "stream/subtask". */
    private static Map<String, Double> samples(String page, String metric) {
        Map<String, Double> out = new TreeMap<>();
        for (String line : page.split("\n")) {
            Matcher m = SAMPLE.matcher(line.strip());
            if (!m.matches() || !m.group(1).equals(metric)) {
                continue;
            }
            Map<String, String> labels = new HashMap<>();
            Matcher l = LABEL.matcher(m.group(2));
            while (l.find()) {
                labels.put(l.group(1), l.group(2));
            }
            out.put(labels.get("stream") + "/" + labels.get("subtask_index"),
                    Double.parseDouble(m.group(3)));
        }
        return out;
    }

    /** The metric names in the dashboard's queries. */
    static Set<String> dashboardMetrics() throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("docker/grafana"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("docker/grafana above the working directory").isNotNull();
        String json = Files.readString(dir.resolve("docker/grafana/dashboards/fusion.json"));
        Set<String> names = new TreeSet<>();
        Matcher m = DASHBOARD_METRIC.matcher(json);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    private static String scrape(URI endpoint) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(endpoint)
                    .timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : "";
        } catch (IOException e) {
            // The endpoint starts with the cluster; until then there is nothing to read.
            return "";
        }
    }

    private static FusionConfig config(Topics topics) {
        Map<String, String> all = new HashMap<>(topics.configuration());
        all.put("kafka.bootstrap-servers", broker.bootstrapServers());
        all.put("kafka.transactional-id-prefix", topics.suffix());
        all.put("kafka.group-id", "it-" + topics.suffix());
        all.put("kafka.starting-offsets", "earliest");
        all.put("job.name", "health-" + topics.suffix());
        all.put("job.parallelism", String.valueOf(PARALLELISM));
        all.put("job.checkpoint-interval", "1 s");
        all.put("inference.device", "cpu");
        all.put("inference.batch-size", "16");
        all.put("inference.max-delay", "10 ms");
        all.put("validation.min-event-time", "2020-01-01T00:00:00Z");
        all.put("metrics.port", "0");
        // health.min-mean-gate keeps its default: the ITCase checks the shipped level.
        all.put("health.window", "2 s");
        all.put("health.degraded-after", "2 s");
        return FusionConfig.of(all);
    }

    /** Polls {@code condition} every 200 ms until it holds; fails after {@code timeout}. */
    private static void await(String what, Duration timeout,
            java.util.concurrent.Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(200);
        }
    }
}
