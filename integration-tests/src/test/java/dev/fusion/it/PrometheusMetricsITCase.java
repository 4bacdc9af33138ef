package dev.fusion.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.jobs.FusionJobMain;
import dev.fusion.jobs.cli.LocalCluster;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.embedded.EmbeddedKafkaBroker;
import dev.fusion.jobs.kafka.CheckedProducer;
import dev.fusion.jobs.kafka.CommittedTopicReader;
import dev.fusion.jobs.kafka.TopicAdmin;
import dev.fusion.jobs.lifecycle.LocalState;
import dev.fusion.jobs.synthetic.SyntheticDistribution;
import dev.fusion.operators.align.AlignOperator;
import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.ImageFeatureEvent;
import dev.fusion.schemas.Modality;
import dev.fusion.schemas.TextEvent;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The job's counters as a Prometheus server reads them: the job runs as {@code ./fusion run}
 * runs it (a local cluster from {@link LocalCluster}, Prometheus reporter on a free port), on
 * known good, malformed, invalid, duplicate and late input; the scraped counters, summed over
 * subtasks, equal what was sent.
 */
class PrometheusMetricsITCase {

    private static final int PARTITIONS = 3;
    private static final int MALFORMED = 7;
    private static final int EMPTY_TEXTS = 3;
    private static final int NAN_IMAGES = 2;
    /** Text records of the scenario sent twice: the copies are dropped as DUPLICATE. */
    private static final int DUPLICATE_TEXTS = 2;
    private static final List<String> LATE_ENTITIES = List.of("entity-0", "entity-1", "entity-2");
    /** One sample line of the text exposition format: name, labels, value. */
    private static final Pattern SAMPLE = Pattern.compile("^([A-Za-z_:][A-Za-z0-9_:]*)\\{(.*)\\}\\s+(\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final String OPERATOR = "flink_taskmanager_job_task_operator_";
    private static final String STREAM = OPERATOR + "stream_";

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
    void scrapedCountersEqualWhatWasSent() throws Exception {
        Topics topics = new Topics("prom" + System.nanoTime());
        try (TopicAdmin admin = new TopicAdmin(broker.bootstrapServers())) {
            admin.createTopics(topics.partitions(PARTITIONS), Duration.ofSeconds(30));
        }
        Scenario scenario = Scenario.generate(6, 3, 31L);
        produceGoodAndBad(topics, scenario);

        FusionConfig config = config(topics);
        int metricsPort = LocalCluster.metricsPort(config);
        StreamExecutionEnvironment env = LocalCluster.environment(config, LocalCluster.resolvePort(0),
                metricsPort, LocalState.temporary(config), new Configuration());
        FusionJobMain.submit(env, config);
        JobClient job = env.executeAsync(config.get(dev.fusion.jobs.config.FusionOptions.JOB_NAME));
        try {
            // Once an entity has a fusion, its alignment subtask's event time has passed the
            // scenario's first window: a record 30 s before the scenario is late there.
            await("a fusion of each of " + LATE_ENTITIES, Duration.ofSeconds(90),
                    () -> CommittedTopicReader.readAll(broker.bootstrapServers(), topics.fused(),
                            FusedEvent.class, Duration.ofSeconds(10)).stream()
                            .map(FusedEvent::getEntityId).collect(Collectors.toSet())
                            .containsAll(LATE_ENTITIES));
            List<ModalityRecord> late = lateRecords(scenario.base - 30_000);
            try (CheckedProducer producer = new CheckedProducer(broker.bootstrapServers())) {
                for (ModalityRecord r : late) {
                    producer.send(Scenario.topic(topics, Streams.of(r)), utf8(r.entityId),
                            Scenario.encode(r));
                }
                producer.flush();
            }

            Map<String, Double> expected = expected(scenario, late);
            URI endpoint = URI.create(LocalCluster.metricsUrl(metricsPort));
            Map<String, Double> seen = new TreeMap<>();
            try {
                await("the scraped counters to equal what was sent", Duration.ofSeconds(90), () -> {
                    seen.clear();
                    seen.putAll(observed(scrape(endpoint), expected.keySet()));
                    return seen.equals(expected);
                });
            } catch (AssertionError e) {
                assertThat(seen).as("scraped from %s", endpoint).isEqualTo(expected);
            }
            String page = scrape(endpoint);
            // Flink's Prometheus reporter writes '.' and '-' in label values as '_'.
            assertThat(servingLabels(page)).as("modelInfo gauges of %s", endpoint).isEqualTo(Set.of(
                    "text text_routing 1_0_0 cpu", "audio audio_routing 1_0_0 cpu",
                    "image image_routing 1_0_0 cpu", "- integration_max 1_0_0 cpu"));
            assertThat(samples(page, OPERATOR + AlignOperator.EVENT_TIME_LAG_MS))
                    .as("eventTimeLagMs of the two alignment subtasks").hasSize(2)
                    .allSatisfy(lag -> assertThat(lag).isGreaterThanOrEqualTo(-1))
                    .anySatisfy(lag -> assertThat(lag).isGreaterThanOrEqualTo(0));
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
            // Before the broker stops: a producer left behind would outlive this class.
            KafkaClientThreads.awaitGone(topics.suffix(), Duration.ofSeconds(60));
        }
    }

    /** The scenario, then 7 malformed audio values, 3 empty texts and 2 images with NaN. */
    private static void produceGoodAndBad(Topics topics, Scenario scenario)
            throws InterruptedException {
        float[] nan = new float[SyntheticDistribution.bundled().imageDim()];
        nan[1] = Float.NaN;
        Instant t = Instant.ofEpochMilli(scenario.base);
        try (CheckedProducer producer = new CheckedProducer(broker.bootstrapServers())) {
            for (ModalityRecord r : scenario.records) {
                producer.send(Scenario.topic(topics, Streams.of(r)), utf8(r.entityId),
                        Scenario.encode(r));
            }
            for (ModalityRecord r : duplicated(scenario)) {
                producer.send(topics.text(), utf8(r.entityId), Scenario.encode(r));
            }
            for (int i = 0; i < MALFORMED; i++) {
                producer.send(topics.audio(), i % PARTITIONS, utf8("bad-" + i),
                        utf8("not avro at all #" + i));
            }
            for (int i = 0; i < EMPTY_TEXTS; i++) {
                producer.send(topics.text(), i % PARTITIONS, utf8("bad-text-" + i),
                        SingleObjectCodec.forSpecific(TextEvent.class).encode(TextEvent.newBuilder()
                                .setEventId("bad-text-" + i).setEntityId("e").setEventTime(t)
                                .setText(" ").build()));
            }
            for (int i = 0; i < NAN_IMAGES; i++) {
                producer.send(topics.image(), i % PARTITIONS, utf8("bad-image-" + i),
                        SingleObjectCodec.forSpecific(ImageFeatureEvent.class).encode(
                                ImageFeatureEvent.newBuilder().setEventId("bad-image-" + i)
                                        .setEntityId("e").setEventTime(t)
                                        .setFeatures(Scenario.boxed(nan)).build()));
            }
            producer.flush();
        }
    }

    /** The scenario's first text records, which are sent a second time. */
    private static List<ModalityRecord> duplicated(Scenario scenario) {
        return scenario.records.stream().filter(r -> Streams.of(r) == Modality.TEXT)
                .limit(DUPLICATE_TEXTS).toList();
    }

    /** One late record of every modality for each of {@link #LATE_ENTITIES}, at {@code time}. */
    private static List<ModalityRecord> lateRecords(long time) {
        SyntheticDistribution dist = SyntheticDistribution.bundled();
        float[] audio = new float[dist.audioDim()];
        float[] image = new float[dist.imageDim()];
        Arrays.fill(audio, 0.25f);
        Arrays.fill(image, 0.5f);
        List<ModalityRecord> late = new ArrayList<>();
        for (int k = 0; k < LATE_ENTITIES.size(); k++) {
            String entity = LATE_ENTITIES.get(k);
            long t = time + 10L * k;
            late.add(ModalityRecord.text(0, entity + "-late-t", entity, t, "far too late", null, 0, 0));
            late.add(ModalityRecord.features(Streams.slot(Modality.AUDIO), entity + "-late-a", entity, t + 1,
                    audio, null, 0, 0));
            late.add(ModalityRecord.features(Streams.slot(Modality.IMAGE), entity + "-late-i", entity, t + 2,
                    image, null, 0, 0));
        }
        return late;
    }

    /** Every counter the test checks, by "name{stream}" (or the name alone), and its value. */
    private static Map<String, Double> expected(Scenario scenario, List<ModalityRecord> late) {
        Map<String, Double> out = new TreeMap<>();
        for (Modality m : Modality.values()) {
            String s = m.name().toLowerCase(Locale.ROOT);
            long good = scenario.records.stream().filter(r -> Streams.of(r) == m).count();
            long lateOnes = late.stream().filter(r -> Streams.of(r) == m).count();
            long malformed = m == Modality.AUDIO ? MALFORMED : 0;
            long invalid = m == Modality.TEXT ? EMPTY_TEXTS : m == Modality.IMAGE ? NAN_IMAGES : 0;
            long copies = m == Modality.TEXT ? DUPLICATE_TEXTS : 0;
            out.put(STREAM + "recordsIn{" + s + "}",
                    (double) (good + copies + lateOnes + malformed + invalid));
            out.put(STREAM + "deadLettersMalformed{" + s + "}", (double) malformed);
            out.put(STREAM + "deadLettersUnknownSchema{" + s + "}", 0.0);
            out.put(STREAM + "deadLettersInvalid{" + s + "}", (double) invalid);
            out.put(STREAM + "deadLettersInferenceFailed{" + s + "}", 0.0);
            out.put(STREAM + "recordsEmitted{" + s + "}", (double) (good + copies + lateOnes));
            out.put(STREAM + "droppedFiltered{" + s + "}", 0.0);
            out.put(STREAM + "droppedLate{" + s + "}", (double) lateOnes);
            out.put(STREAM + "droppedDuplicate{" + s + "}", (double) copies);
        }
        // Window alignment: one fusion per entity and window of the scenario.
        Set<String> windows = scenario.records.stream()
                .map(r -> r.entityId + "@" + Math.floorDiv(r.eventTime, Scenario.WINDOW_MS))
                .collect(Collectors.toSet());
        out.put(OPERATOR + "recordsEmitted", (double) windows.size());
        out.put(OPERATOR + "deadLettersInferenceFailed", 0.0);
        return out;
    }

    /**
     * The scraped samples of the {@code wanted} keys, summed over subtasks; a metric absent from
     * the page is absent from the result.
     */
    static Map<String, Double> observed(String page, Set<String> wanted) {
        Map<String, Double> sums = new TreeMap<>();
        for (String line : page.split("\n")) {
            Matcher m = SAMPLE.matcher(line.strip());
            if (!m.matches()) {
                continue;
            }
            Map<String, String> labels = labels(m.group(2));
            String key = labels.containsKey("stream")
                    ? m.group(1) + "{" + labels.get("stream") + "}" : m.group(1);
            if (wanted.contains(key)) {
                sums.merge(key, Double.parseDouble(m.group(3)), Double::sum);
            }
        }
        return sums;
    }

    /** "stream model version device" of every {@code modelInfo} sample worth 1 ("-": no stream). */
    private static Set<String> servingLabels(String page) {
        Set<String> serving = new TreeSet<>();
        for (String line : page.split("\n")) {
            Matcher m = SAMPLE.matcher(line.strip());
            if (m.matches() && m.group(1).endsWith("_modelInfo")) {
                assertThat(Double.parseDouble(m.group(3))).as(line).isEqualTo(1.0);
                Map<String, String> labels = labels(m.group(2));
                serving.add(labels.getOrDefault("stream", "-") + " " + labels.get("model") + " "
                        + labels.get("model_version") + " " + labels.get("device"));
            }
        }
        return serving;
    }

    /** The values of every sample of {@code metric}, one per subtask. */
    private static List<Double> samples(String page, String metric) {
        List<Double> values = new ArrayList<>();
        for (String line : page.split("\n")) {
            Matcher m = SAMPLE.matcher(line.strip());
            if (m.matches() && m.group(1).equals(metric)) {
                values.add(Double.parseDouble(m.group(3)));
            }
        }
        return values;
    }

    private static Map<String, String> labels(String text) {
        Map<String, String> labels = new HashMap<>();
        Matcher l = LABEL.matcher(text);
        while (l.find()) {
            labels.put(l.group(1), l.group(2));
        }
        return labels;
    }

    private static String scrape(URI endpoint) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(endpoint)
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("HTTP status of %s", endpoint).isEqualTo(200);
        return response.body();
    }

    private static FusionConfig config(Topics topics) {
        Map<String, String> all = new HashMap<>(topics.configuration());
        all.put("kafka.bootstrap-servers", broker.bootstrapServers());
        all.put("kafka.transactional-id-prefix", topics.suffix());
        all.put("kafka.group-id", "it-" + topics.suffix());
        all.put("kafka.starting-offsets", "earliest");
        all.put("job.name", "prometheus-" + topics.suffix());
        all.put("job.parallelism", "2");
        all.put("job.checkpoint-interval", "500 ms");
        all.put("inference.device", "cpu");
        all.put("inference.batch-size", "16");
        all.put("inference.max-delay", "10 ms");
        all.put("align.window", "1 s");
        all.put("validation.min-event-time", "2020-01-01T00:00:00Z");
        all.put("metrics.port", "0");
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

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
