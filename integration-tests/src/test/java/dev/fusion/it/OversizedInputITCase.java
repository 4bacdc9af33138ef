package dev.fusion.it;

import static dev.fusion.schemas.DeadLetterReason.INVALID;
import static dev.fusion.schemas.DeadLetterReason.MALFORMED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.embedded.EmbeddedKafkaBroker;
import dev.fusion.jobs.kafka.CheckedProducer;
import dev.fusion.jobs.kafka.CommittedTopicReader;
import dev.fusion.jobs.kafka.TopicAdmin;
import dev.fusion.jobs.synthetic.SyntheticDistribution;
import dev.fusion.operators.decode.DeadLetters;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DeadLetterReason;
import dev.fusion.schemas.ImageFeatureEvent;
import dev.fusion.schemas.TextEvent;
import dev.fusion.schemas.codec.DecodeLimits;
import dev.fusion.schemas.codec.FloatArrayList;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * No input can stop the job. With a broker that takes 8 MiB values, values at the broker's
 * maximum, above the decoder's limit, of several MiB, near 1 MiB and around the dead-letter cap,
 * and an over-long key, mixed with good traffic: each becomes exactly one dead letter that keeps
 * at most the cap of its bytes, with the original size and SHA-256; the job stays RUNNING without
 * a single restart; and every event id sent is accounted for exactly once.
 *
 * <p>Once with the default cap (256 KiB), and once with a 1 MiB cap, where a dead letter wrapping
 * a value just under the cap is larger than a producer's default {@code max.request.size} (1 MiB):
 * only the dead-letter sink's own, larger setting lets it through.
 */
class OversizedInputITCase extends KafkaJobTestBase {

    private static final Logger LOG = LoggerFactory.getLogger(OversizedInputITCase.class);

    /** Broker and topic limit: values of 8 MiB, plus room for the record batch's framing. */
    static final int BROKER_MAX_MESSAGE_BYTES = (8 << 20) + (64 << 10);
    /** dlq.max-key-bytes (the default). */
    static final int KEY_CAP = 1024;
    /**
     * What a one-record batch adds to its value and key (uncompressed, no headers): the batch
     * header (61 bytes) and the record's length (4-byte varint at this size), attributes,
     * timestamp and offset deltas, key length, value length (4-byte varint) and header count.
     */
    static final int ONE_RECORD_BATCH_FRAMING = 61 + 4 + 1 + 1 + 1 + 1 + 4 + 1;

    private static final Map<String, String> BIG_PRODUCER = Map.of(
            ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(16 << 20),
            // Compression would let the broker see smaller batches than the values are.
            ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");

    /** An oversized input record: where it goes, its bytes, and the dead letter it must become. */
    record Big(byte[] key, String topic, int partition, byte[] value, DeadLetterReason reason,
            String eventId, String message) {
    }

    @TempDir
    Path savepoints;

    /** Hides the base class's broker: this class needs one that takes 8 MiB values. */
    @BeforeAll
    static void startBroker() throws Exception {
        String max = String.valueOf(BROKER_MAX_MESSAGE_BYTES);
        broker = EmbeddedKafkaBroker.start(Map.of("message.max.bytes", max,
                "replica.fetch.max.bytes", max));
    }

    @ParameterizedTest(name = "dlq.max-value-bytes {0}")
    @ValueSource(strings = {"default", "1048576"})
    void oversizedValuesBecomeBoundedDeadLettersWithoutARestart(String maxValueBytes,
            @InjectClusterClient RestClusterClient<?> cluster) throws Exception {
        // Idleness longer than the test: the drain at the end then fires every open window.
        Map<String, String> settings = new HashMap<>(Map.of("watermarks.idleness", "10 min"));
        if (!maxValueBytes.equals("default")) {
            settings.put("dlq.max-value-bytes", maxValueBytes);
        }
        FusionConfig config = config(settings);
        int cap = config.deadLetters().maxValueBytes();
        assertThat(cap).isEqualTo(maxValueBytes.equals("default")
                ? DeadLetters.DEFAULT_MAX_VALUE_BYTES : Integer.parseInt(maxValueBytes));

        Scenario scenario = Scenario.generate(6, 3, 17L);
        List<Big> bigs = bigRecords(scenario.base, cap);
        assertBrokerMaximum(bigs.get(0));
        produce(scenario, bigs);
        assertThat(inputEndOffsets()).as("records in every input partition")
                .allSatisfy((tp, end) -> assertThat(end).as("end offset of %s", tp).isPositive());
        JobClient job = startUnbounded(config, new Configuration());
        await("a dead letter for each of the " + bigs.size() + " oversized records",
                Duration.ofSeconds(120), () -> CommittedTopicReader.readAll(
                        broker.bootstrapServers(), topics.dlq(), DeadLetter.class,
                        Duration.ofSeconds(30)).size() >= bigs.size());

        assertThat(job.getJobStatus().get(10, TimeUnit.SECONDS)).isEqualTo(JobStatus.RUNNING);
        assertThat(restarts(cluster, job.getJobID())).as("numRestarts").isZero();

        job.stopWithSavepoint(true, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(60, TimeUnit.SECONDS);
        assertThat(awaitTerminal(job, Duration.ofSeconds(60))).isEqualTo(JobStatus.FINISHED);

        Outputs out = readOutputs();
        SingleObjectCodec<DeadLetter> codec = SingleObjectCodec.forSpecific(DeadLetter.class);
        LOG.info("cap {}: sent {} good and {} oversized records; {} fused, {} dead letters (largest"
                + " {} bytes encoded, bound {}), {} dropped", cap, scenario.records.size(), bigs.size(),
                out.fused().size(), out.deadLetters().size(), out.deadLetters().stream()
                        .mapToInt(d -> codec.encode(d).length).max().orElse(0),
                config.deadLetters().maxEncodedBytes(), out.dropped().size());
        assertThat(out.dropped()).as("dropped events").isEmpty();
        List<String> accountable = new ArrayList<>(scenario.eventIds());
        bigs.stream().filter(b -> b.eventId() != null).forEach(b -> accountable.add(b.eventId()));
        Accounting.assertExact(accountable, out.fused(),
                out.deadLetters().stream().filter(d -> d.getEventId() != null).toList(),
                out.dropped());

        // The dead letters are exactly the oversized records, each bounded and exact.
        Map<String, Big> expected = expectedByCoordinates(bigs);
        Map<String, DeadLetter> actual = new HashMap<>();
        for (DeadLetter d : out.deadLetters()) {
            String at = d.getSourceTopic() + "/" + d.getPartition() + "@" + d.getOffset();
            assertThat(actual.put(at, d)).as("two dead letters for %s", at).isNull();
        }
        assertThat(new TreeSet<>(actual.keySet())).isEqualTo(new TreeSet<>(expected.keySet()));
        for (Map.Entry<String, Big> e : expected.entrySet()) {
            Big b = e.getValue();
            DeadLetter d = actual.get(e.getKey());
            String what = b.value().length + "-byte value at " + e.getKey();
            assertThat(d.getReason()).as("reason of %s", what).isEqualTo(b.reason());
            assertThat(d.getEventId()).as("event id of %s", what).isEqualTo(b.eventId());
            assertThat(d.getMessage()).as("message of %s", what).contains(b.message());
            assertThat(bytes(d.getValue())).as("kept value of %s", what)
                    .isEqualTo(Arrays.copyOf(b.value(), Math.min(cap, b.value().length)));
            assertThat(d.getValueSize()).as("value size of %s", what).isEqualTo(b.value().length);
            assertThat(d.getValueTruncated()).as("truncated %s", what).isEqualTo(b.value().length > cap);
            assertThat(d.getValueSha256().bytes()).as("SHA-256 of %s", what).isEqualTo(sha256(b.value()));
            assertThat(bytes(d.getKey())).as("kept key of %s", what)
                    .isEqualTo(Arrays.copyOf(b.key(), Math.min(KEY_CAP, b.key().length)));
            assertThat(d.getKeySize()).as("key size of %s", what).isEqualTo(b.key().length);
            assertThat(d.getKeyTruncated()).as("key truncated %s", what).isEqualTo(b.key().length > KEY_CAP);
            assertThat(d.getKeySha256().bytes()).as("key SHA-256 of %s", what).isEqualTo(sha256(b.key()));
            assertThat(codec.encode(d).length).as("encoded size of %s", what)
                    .isLessThanOrEqualTo(config.deadLetters().maxEncodedBytes());
        }
    }

    /**
     * The oversized records: the broker's largest value (above the decoder's 8 MiB limit), a
     * value just above that limit, a 4 MB image event and a text event of almost 1 MiB (both
     * decodable, both invalid, so they keep their event ids), values of cap - 1, cap and cap + 1
     * bytes, and a small value under a key longer than its cap.
     */
    private List<Big> bigRecords(long eventTime, int cap) {
        Instant t = Instant.ofEpochMilli(eventTime);
        int limit = DecodeLimits.DEFAULT.maxMessageBytes();
        int imageDim = SyntheticDistribution.bundled().imageDim();
        byte[] brokerMaxKey = utf8("big-broker-max");
        int brokerMax = BROKER_MAX_MESSAGE_BYTES - ONE_RECORD_BATCH_FRAMING - brokerMaxKey.length;
        String marker = "not the single-object marker C3 01";

        List<Big> bigs = new ArrayList<>();
        bigs.add(new Big(brokerMaxKey, topics.image(), 0, garbage(brokerMax, 1), MALFORMED, null,
                "message of " + brokerMax + " bytes exceeds the limit " + limit));
        bigs.add(new Big(utf8("big-over-decode-limit"), topics.audio(), 1, garbage(limit + 1, 2),
                MALFORMED, null, "message of " + (limit + 1) + " bytes exceeds the limit " + limit));
        float[] features = new float[1_000_000];
        Arrays.fill(features, 0.5f);
        bigs.add(new Big(utf8("big-image"), topics.image(), 2, SingleObjectCodec
                .forSpecific(ImageFeatureEvent.class).encode(ImageFeatureEvent.newBuilder()
                        .setEventId("big-image").setEntityId("e-big").setEventTime(t)
                        .setFeatures(new FloatArrayList(features)).build()),
                INVALID, "big-image", "features has 1000000 values, the image routing model expects "
                        + imageDim));
        String text = "x".repeat((1 << 20) - 100);
        byte[] nearOneMib = SingleObjectCodec.forSpecific(TextEvent.class).encode(TextEvent
                .newBuilder().setEventId("big-text").setEntityId("e-big").setEventTime(t)
                .setText(text).build());
        assertThat(nearOneMib.length).as("size of the text event")
                .isBetween((1 << 20) - 200, (1 << 20) - 1);
        bigs.add(new Big(utf8("big-text"), topics.text(), 1, nearOneMib, INVALID, "big-text",
                "text has " + text.length() + " chars, more than validation.max-text-chars=10000"));
        bigs.add(new Big(utf8("big-cap-minus-1"), topics.text(), 0, garbage(cap - 1, 3), MALFORMED,
                null, marker));
        bigs.add(new Big(utf8("big-cap"), topics.audio(), 2, garbage(cap, 4), MALFORMED, null, marker));
        bigs.add(new Big(utf8("big-cap-plus-1"), topics.image(), 1, garbage(cap + 1, 5), MALFORMED,
                null, marker));
        byte[] longKey = utf8("big-key-" + "k".repeat(5000));
        bigs.add(new Big(longKey, topics.audio(), 0, garbage(100, 6), MALFORMED, null, marker));
        return bigs;
    }

    /**
     * {@code big}'s value is the largest the broker accepts: one byte more is refused. Checked
     * on a topic of its own with a plain producer, so no test input is touched.
     */
    private void assertBrokerMaximum(Big big) throws Exception {
        String probe = "probe." + topics.suffix();
        try (TopicAdmin admin = new TopicAdmin(broker.bootstrapServers())) {
            admin.createTopics(Map.of(probe, 1), Duration.ofSeconds(30));
        }
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.putAll(BIG_PRODUCER);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        props.put(ProducerConfig.RETRIES_CONFIG, "0");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(probe, big.key(), big.value())).get(30, TimeUnit.SECONDS);
            byte[] oneMore = Arrays.copyOf(big.value(), big.value().length + 1);
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(probe, big.key(), oneMore))
                    .get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(RecordTooLargeException.class);
        }
    }

    /** Produces the scenario keyed by entity, with the oversized records spread among it. */
    private void produce(Scenario scenario, List<Big> bigs) throws InterruptedException {
        int every = Math.max(1, scenario.records.size() / (bigs.size() + 1));
        try (CheckedProducer producer = new CheckedProducer(broker.bootstrapServers(), BIG_PRODUCER)) {
            int next = 0;
            for (int i = 0; i < scenario.records.size(); i++) {
                if (i % every == every - 1 && next < bigs.size()) {
                    Big b = bigs.get(next++);
                    producer.send(b.topic(), b.partition(), b.key(), b.value());
                }
                var r = scenario.records.get(i);
                producer.send(Scenario.topic(topics, Streams.of(r)), utf8(r.entityId), Scenario.encode(r));
            }
            assertThat(next).as("oversized records produced").isEqualTo(bigs.size());
            producer.flush();
        }
    }

    /** The oversized records by the coordinates the broker gave them, found by their keys. */
    private Map<String, Big> expectedByCoordinates(List<Big> bigs) {
        Map<String, ConsumerRecord<byte[], byte[]>> byKey = new HashMap<>();
        for (String topic : List.of(topics.text(), topics.audio(), topics.image())) {
            for (ConsumerRecord<byte[], byte[]> r : CommittedTopicReader.readRaw(
                    broker.bootstrapServers(), topic, Duration.ofSeconds(60))) {
                String key = new String(r.key(), StandardCharsets.UTF_8);
                if (key.startsWith("big-")) {
                    assertThat(byKey.put(key, r)).as("two inputs keyed %s", key).isNull();
                }
            }
        }
        Map<String, Big> expected = new HashMap<>();
        for (Big b : bigs) {
            ConsumerRecord<byte[], byte[]> in = byKey.get(new String(b.key(), StandardCharsets.UTF_8));
            assertThat(in).as("input keyed %s", b.key().length > 40 ? "big-key-..." : utf8(b.key()))
                    .isNotNull();
            assertThat(in.partition()).isEqualTo(b.partition());
            assertThat(in.value()).hasSize(b.value().length);
            expected.put(in.topic() + "/" + in.partition() + "@" + in.offset(), b);
        }
        return expected;
    }

    /** The job's numRestarts metric, from the cluster's REST API (it appears after a moment). */
    private static long restarts(RestClusterClient<?> cluster, JobID job) throws Exception {
        URI uri = URI.create(cluster.getWebInterfaceURL() + "/jobs/" + job + "/metrics?get=numRestarts");
        HttpClient http = HttpClient.newHttpClient();
        Pattern value = Pattern.compile("\"value\"\\s*:\\s*\"(\\d+)\"");
        long[] restarts = {-1};
        await("the numRestarts metric of job " + job, Duration.ofSeconds(60), () -> {
            String body = http.send(HttpRequest.newBuilder(uri).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = value.matcher(body);
            if (m.find()) {
                restarts[0] = Long.parseLong(m.group(1));
                return true;
            }
            return false;
        });
        return restarts[0];
    }

    /** Random bytes whose first byte is 0, so they never start with the single-object marker. */
    private static byte[] garbage(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        b[0] = 0;
        return b;
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
