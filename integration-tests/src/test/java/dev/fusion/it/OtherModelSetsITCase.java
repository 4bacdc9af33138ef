package dev.fusion.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import dev.fusion.jobs.kafka.CheckedProducer;
import dev.fusion.jobs.kafka.TopicAdmin;
import dev.fusion.models.manifest.Modality;
import dev.fusion.models.manifest.ModelManifest;
import dev.fusion.schemas.AudioFeatureEvent;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DeadLetterReason;
import dev.fusion.schemas.FeatureEvent;
import dev.fusion.schemas.Floats;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.TextEvent;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Model sets of other streams and shapes than the bundled one ({@code models/model-sets}: text
 * and a 256-d image; five streams of 40-, 2048-, 16- and 6-d features besides text; D = 32,
 * K = 5) run end to end through the real broker with the configuration alone: one input topic per
 * declared stream, fused records that name their slots with the right dimensions and weights of
 * absent streams exactly 0, dead letters for a wrong shape and a wrong record type, and exact
 * accounting.
 */
class OtherModelSetsITCase extends KafkaJobTestBase {

    private static final long WINDOW_MS = 1000;
    private static final int ENTITIES = 8;
    private static final int WINDOWS = 4;

    @ParameterizedTest
    @ValueSource(strings = {"two-stream", "five-stream"})
    void aModelSetOfOtherStreamsRunsEndToEndByConfigurationAlone(String set) throws Exception {
        Path dir = Path.of("..", "models", "model-sets", set).toAbsolutePath().normalize();
        ModelManifest manifest = ModelManifest.load(dir);
        List<Modality> streams = manifest.modalities();
        Map<String, String> overrides = new HashMap<>();
        overrides.put("models.dir", dir.toString());
        overrides.put("align.window", "1 s");
        Map<String, Integer> inputTopics = new LinkedHashMap<>();
        for (Modality m : streams) {
            String topic = "fusion." + m.id() + "." + topics.suffix();
            overrides.put("kafka.topics." + m.id(), topic);
            inputTopics.put(topic, PARTITIONS);
        }
        try (TopicAdmin admin = new TopicAdmin(bootstrapServers())) {
            admin.createTopics(inputTopics, Duration.ofSeconds(30));
        }
        FusionConfig config = config(overrides);

        Sent sent = produce(config, manifest, set.hashCode());
        runBounded(config);

        Outputs out = readOutputs();
        // The record of the wrong type cannot be decoded, so its dead letter has no event id.
        Modality last = streams.get(streams.size() - 1);
        List<DeadLetter> undecodable = out.deadLetters().stream()
                .filter(d -> d.getEventId() == null).toList();
        assertThat(undecodable).hasSize(1);
        assertThat(undecodable.get(0).getReason()).isEqualTo(DeadLetterReason.UNKNOWN_SCHEMA);
        assertThat(undecodable.get(0).getSourceTopic())
                .isEqualTo(config.get(FusionOptions.inputTopic(last.id())));
        List<DeadLetter> decoded = out.deadLetters().stream()
                .filter(d -> d.getEventId() != null).toList();
        Accounting.assertExact(sent.all(), out.fused(), decoded, out.dropped());
        assertThat(out.dropped()).isEmpty();
        assertThat(decoded).extracting(DeadLetter::getEventId).containsExactly("bad-shape");
        DeadLetter wrongShape = decoded.get(0);
        assertThat(wrongShape.getReason()).isEqualTo(DeadLetterReason.INVALID);
        assertThat(wrongShape.getMessage()).contains("features has "
                + (manifest.routing(last).inputDim() + 1) + " values, the " + last.id()
                + " routing model expects " + manifest.routing(last).inputDim());

        List<String> names = streams.stream().map(Modality::id).toList();
        // One fusion per entity and window that had a good record.
        assertThat(out.fused()).hasSize(sent.windows().size());
        for (FusedEvent e : out.fused()) {
            assertThat(e.getStreamNames()).isEqualTo(names);
            assertThat(e.getFused()).hasSize(32);
            assertThat(e.getScores()).hasSize(5);
            assertThat(e.getWeights()).hasSize(streams.size());
            Set<String> present = new TreeSet<>();
            e.getSourceEventIds().forEach(id -> present.add(sent.streamOf().get(id)));
            String window = e.getEntityId() + "@" + e.getWindowStart().toEpochMilli();
            assertThat(present).as(window).isEqualTo(sent.windows().get(window));
            assertThat(e.getPresentStreams()).as(window)
                    .isEqualTo(names.stream().filter(present::contains).toList());
            double sum = 0;
            for (int i = 0; i < names.size(); i++) {
                if (!present.contains(names.get(i))) {
                    assertThat(e.getWeights().get(i)).as("%s weight of absent %s", window,
                            names.get(i)).isEqualTo(0f);
                }
                sum += e.getWeights().get(i);
            }
            assertThat(sum).as(window).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
            // The version 1 field keeps only the streams it can name.
            assertThat(e.getModalities()).extracting(m -> m.name().toLowerCase(java.util.Locale.ROOT))
                    .allMatch(n -> present.contains(n) && List.of("text", "audio", "image").contains(n));
        }
    }

    /**
     * What a test sent: every event id that can be decoded, the stream of each good one, and per
     * entity and window the streams of its good records.
     */
    private record Sent(List<String> all, Map<String, String> streamOf,
            Map<String, Set<String>> windows) {
    }

    /**
     * For each entity and window, a random non-empty subset of the streams, one record each: a
     * text, or features of the stream's dimension (AudioFeatureEvent on the audio stream, the
     * generic FeatureEvent on the others). Then two bad ones: features one value too long on the
     * last stream, and a text record on it.
     */
    private Sent produce(FusionConfig config, ModelManifest manifest, long seed) throws Exception {
        List<Modality> streams = manifest.modalities();
        Random random = new Random(seed);
        long now = System.currentTimeMillis();
        long base = now - 300_000 - Math.floorMod(now, WINDOW_MS);
        List<String> all = new ArrayList<>();
        Map<String, String> streamOf = new HashMap<>();
        Map<String, Set<String>> windows = new TreeMap<>();
        try (CheckedProducer producer = new CheckedProducer(bootstrapServers())) {
            int n = 0;
            for (int e = 0; e < ENTITIES; e++) {
                String entity = "entity-" + e;
                for (int w = 0; w < WINDOWS; w++) {
                    long start = base + w * WINDOW_MS;
                    int subset = 1 + random.nextInt((1 << streams.size()) - 1);
                    for (Modality m : streams) {
                        if ((subset & 1 << m.index()) == 0) {
                            continue;
                        }
                        String id = entity + "-" + m.id() + "-" + n++;
                        long t = start + 10 + random.nextInt(900);
                        send(producer, config, manifest, m, id, entity, t, 0, random);
                        all.add(id);
                        streamOf.put(id, m.id());
                        windows.computeIfAbsent(entity + "@" + start, k -> new TreeSet<>()).add(m.id());
                    }
                }
            }
            Modality last = streams.get(streams.size() - 1);
            send(producer, config, manifest, last, "bad-shape", "entity-0", base + 50, 1, random);
            all.add("bad-shape");
            byte[] text = SingleObjectCodec.forSpecific(TextEvent.class).encode(TextEvent.newBuilder()
                    .setEventId("bad-type").setEntityId("entity-0").setEventTime(Instant.ofEpochMilli(base + 60))
                    .setText("a text where features belong").build());
            producer.send(config.get(FusionOptions.inputTopic(last.id())), utf8("entity-0"), text);
            producer.flush();
        }
        return new Sent(all, streamOf, windows);
    }

    private static void send(CheckedProducer producer, FusionConfig config, ModelManifest manifest,
            Modality m, String id, String entity, long t, int extraValues, Random random) {
        String topic = config.get(FusionOptions.inputTopic(m.id()));
        Instant time = Instant.ofEpochMilli(t);
        byte[] value;
        if (m.isText()) {
            value = SingleObjectCodec.forSpecific(TextEvent.class).encode(TextEvent.newBuilder()
                    .setEventId(id).setEntityId(entity).setEventTime(time)
                    .setText("frame " + random.nextInt(1000) + " of the sensor").build());
        } else {
            float[] features = new float[manifest.routing(m).inputDim() + extraValues];
            for (int i = 0; i < features.length; i++) {
                features[i] = (float) random.nextGaussian();
            }
            value = m.id().equals(Modality.AUDIO)
                    ? SingleObjectCodec.forSpecific(AudioFeatureEvent.class).encode(
                            AudioFeatureEvent.newBuilder().setEventId(id).setEntityId(entity)
                                    .setEventTime(time).setFeatures(Floats.asList(features)).build())
                    : SingleObjectCodec.forSpecific(FeatureEvent.class).encode(
                            FeatureEvent.newBuilder().setEventId(id).setEntityId(entity)
                                    .setEventTime(time).setFeatures(Floats.asList(features)).build());
        }
        producer.send(topic, utf8(entity), value);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
