package dev.fusion.operators.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.models.inference.RoutingModel;
import dev.fusion.models.inference.RoutingResult;
import dev.fusion.models.inference.TextRoutingModel;
import dev.fusion.models.runtime.Device;
import dev.fusion.models.runtime.RuntimeOptions;
import dev.fusion.operators.batch.BatchFunction;
import dev.fusion.operators.batch.MicroBatchOperator;
import dev.fusion.operators.batch.MicroBatchOptions;
import dev.fusion.operators.decode.DeadLetters;
import dev.fusion.operators.outputs.SideOutputs;
import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.operators.records.RoutedRecord;
import dev.fusion.schemas.AudioFeatureEvent;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DeadLetterReason;
import dev.fusion.models.manifest.Modality;
import dev.fusion.operators.TestStreams;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Routing layers inside the micro-batching operator, with the real bundled models. */
class RoutingOperatorTest {

    static final RuntimeOptions CPU = new RuntimeOptions(Device.CPU, 1, 1);
    static final ModelLocation MODELS = ModelLocation.bundled();

    @Test
    void audioBatchOfOneAndOfSixtyFourAreBitIdenticalAndMatchTheModel() throws Exception {
        List<ModalityRecord> inputs = features(TestStreams.AUDIO, 128, 150, 1L);
        List<RoutedRecord> one = run(new FeatureRoutingFunction(TestStreams.AUDIO, MODELS, CPU), inputs, 1).routed;
        List<RoutedRecord> many = run(new FeatureRoutingFunction(TestStreams.AUDIO, MODELS, CPU), inputs, 64).routed;
        assertThat(many).hasSize(150).isEqualTo(one);

        try (RoutingModel model = RoutingModel.open(MODELS.manifest(),
                TestStreams.AUDIO, CPU)) {
            RoutingResult direct = model.route(List.of(inputs.get(7).features));
            assertThat(many.get(7).embedding).containsExactly(direct.embedding(0));
            assertThat(many.get(7).gateLogit).isEqualTo(direct.gateLogit(0));
        }
        assertThat(many.get(7).eventId).isEqualTo(inputs.get(7).eventId);
        assertThat(many.get(7).offset).isEqualTo(inputs.get(7).offset);
    }

    @Test
    void imageRoutingIsBatchInvariant() throws Exception {
        List<ModalityRecord> inputs = features(TestStreams.IMAGE, 512, 70, 2L);
        List<RoutedRecord> one = run(new FeatureRoutingFunction(TestStreams.IMAGE, MODELS, CPU), inputs, 1).routed;
        List<RoutedRecord> many = run(new FeatureRoutingFunction(TestStreams.IMAGE, MODELS, CPU), inputs, 64).routed;
        assertThat(many).isEqualTo(one);
    }

    @Test
    void textBatchOfOneAndOfSixtyFourAgreeWithinOneUlp() throws Exception {
        List<ModalityRecord> inputs = new ArrayList<>();
        String[] words = {"loud", "river", "noise", "quiet", "piano", "street", "bird", "engine", "rain"};
        Random random = new Random(3L);
        for (int i = 0; i < 100; i++) {
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < 2 + random.nextInt(12); w++) {
                sb.append(words[random.nextInt(words.length)]).append(' ');
            }
            inputs.add(ModalityRecord.text(0, "t-" + i, "e-" + (i % 7), 1_000L + i, sb.toString().trim(),
                    "fusion.text", 0, i));
        }
        List<RoutedRecord> one = run(new TextRoutingFunction(TestStreams.TEXT, MODELS, CPU), inputs, 1).routed;
        List<RoutedRecord> many = run(new TextRoutingFunction(TestStreams.TEXT, MODELS, CPU), inputs, 64).routed;
        assertThat(many).hasSize(100);
        for (int i = 0; i < 100; i++) {
            // Batched matrix kernels may round differently by one float32 ulp; nothing more.
            assertClose(many.get(i).embedding, one.get(i).embedding, 1e-6);
            assertThat((double) many.get(i).gateLogit).isCloseTo(one.get(i).gateLogit,
                    org.assertj.core.data.Offset.offset(1e-5));
            assertThat(many.get(i).eventId).isEqualTo(one.get(i).eventId);
        }
        try (TextRoutingModel model = TextRoutingModel.open(MODELS.manifest(), CPU)) {
            assertThat(one.get(5).embedding).containsExactly(
                    model.routeTexts(List.of(inputs.get(5).text)).embedding(0));
        }
    }

    @Test
    void aPoisonRecordBecomesADeadLetterAndItsBatchMatesAreRouted() throws Exception {
        List<ModalityRecord> inputs = features(TestStreams.AUDIO, 128, 8, 4L);
        // Validation upstream normally stops this; the model must still not take the batch down.
        inputs.get(3).features = new float[127];
        Result r = run(new FeatureRoutingFunction(TestStreams.AUDIO, MODELS, CPU), inputs, 8);
        assertThat(r.routed).extracting(x -> x.eventId)
                .containsExactly("audio-0", "audio-1", "audio-2", "audio-4", "audio-5", "audio-6", "audio-7");
        assertThat(r.deadLetters).hasSize(1);
        DeadLetter letter = r.deadLetters.get(0);
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.INFERENCE_FAILED);
        assertThat(letter.getEventId()).isEqualTo("audio-3");
        assertThat(letter.getSourceTopic()).isEqualTo("fusion.audio");
        assertThat(letter.getPartition()).isEqualTo(inputs.get(3).partition);
        assertThat(letter.getOffset()).isEqualTo(3L);
        assertThat(letter.getValueTruncated()).isFalse();
        assertThat(letter.getValueSize()).isEqualTo(letter.getValue().remaining());
        assertThat(letter.getMessage()).contains("routing inference failed").contains("127");
        AudioFeatureEvent replay = SingleObjectCodec.forSpecific(AudioFeatureEvent.class)
                .decode(letter.getValue().array());
        assertThat(replay.getEventId()).isEqualTo("audio-3");
        assertThat(replay.getFeatures()).hasSize(127);
    }

    static void assertClose(float[] actual, float[] expected, double relative) {
        assertThat(actual).hasSameSizeAs(expected);
        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) Math.abs(actual[i] - expected[i])).as("element %d", i)
                    .isLessThanOrEqualTo(relative * Math.max(scale, 1.0));
        }
    }

    static List<ModalityRecord> features(Modality modality, int dim, int n, long seed) {
        Random random = new Random(seed);
        List<ModalityRecord> out = new ArrayList<>();
        String name = modality.id();
        for (int i = 0; i < n; i++) {
            float[] f = new float[dim];
            for (int d = 0; d < dim; d++) {
                f[d] = (float) random.nextGaussian();
            }
            out.add(ModalityRecord.features(modality.index(), name + "-" + i, "e-" + (i % 5), 1_000L + i, f,
                    "fusion." + name, 0, i));
        }
        return out;
    }

    /** What a routing operator emitted. */
    record Result(List<RoutedRecord> routed, List<DeadLetter> deadLetters) {
    }

    static Result run(BatchFunction<ModalityRecord, RoutedRecord> function, List<ModalityRecord> inputs,
            int batchSize) throws Exception {
        MicroBatchOperator<ModalityRecord, RoutedRecord> operator = new MicroBatchOperator<>(function,
                new RecordPoisonHandler(TestStreams.ALL.get(inputs.get(0).slot), DeadLetters.defaults()),
                new MicroBatchOptions(batchSize, Duration.ofSeconds(60)));
        try (OneInputStreamOperatorTestHarness<ModalityRecord, RoutedRecord> h =
                new OneInputStreamOperatorTestHarness<>(operator,
                        TypeInformation.of(ModalityRecord.class).createSerializer(
                                new org.apache.flink.api.common.serialization.SerializerConfigImpl()))) {
            h.open();
            for (ModalityRecord r : inputs) {
                h.processElement(new StreamRecord<>(r, r.eventTime));
            }
            h.endInput();
            List<DeadLetter> letters = new ArrayList<>();
            var side = h.getSideOutput(SideOutputs.DEAD_LETTERS);
            if (side != null) {
                side.forEach(s -> letters.add(s.getValue()));
            }
            return new Result(h.extractOutputValues(), letters);
        }
    }
}
