package dev.fusion.schemas.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.schemas.AudioFeatureEvent;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.ImageFeatureEvent;
import dev.fusion.schemas.TextEvent;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * Property: for any bytes, decode returns a valid record (one that re-encodes to a record equal
 * to itself) or throws {@link CodecException}; nothing else escapes, not even an Error.
 */
class CodecFuzzTest {

    private static final int RANDOM_CASES = 20_000;
    private static final int MUTATIONS_PER_TYPE = 20_000;

    @Test
    void randomBytesDecodeOrFailTyped() {
        Random random = new Random(20261123L);
        SingleObjectCodec<TextEvent> codec = SingleObjectCodec.forSpecific(TextEvent.class);
        byte[] validHeader = Arrays.copyOf(codec.encode(SampleRecords.text()), 10);
        Map<CodecException.Failure, Integer> seen = new EnumMap<>(CodecException.Failure.class);
        for (int i = 0; i < RANDOM_CASES; i++) {
            byte[] bytes = new byte[random.nextInt(300)];
            random.nextBytes(bytes);
            if (i % 3 == 0 && bytes.length >= 10) {
                // A third get a valid header so the body decoder is exercised too.
                System.arraycopy(validHeader, 0, bytes, 0, 10);
            } else if (i % 3 == 1 && bytes.length >= 2) {
                // A third get the marker with a random fingerprint.
                System.arraycopy(validHeader, 0, bytes, 0, 2);
            }
            check(codec, bytes, seen);
        }
        assertThat(seen).containsKeys(CodecException.Failure.BAD_HEADER,
                CodecException.Failure.UNKNOWN_SCHEMA, CodecException.Failure.TRUNCATED);
    }

    @Test
    void mutatedTextEventsDecodeOrFailTyped() {
        fuzzMutations(TextEvent.class, SampleRecords::text, 1L);
    }

    @Test
    void mutatedAudioEventsDecodeOrFailTyped() {
        fuzzMutations(AudioFeatureEvent.class, SampleRecords::audio, 2L);
    }

    @Test
    void mutatedFusedEventsDecodeOrFailTyped() {
        fuzzMutations(FusedEvent.class, SampleRecords::fused, 3L);
    }

    @Test
    void mutatedDeadLettersDecodeOrFailTyped() {
        fuzzMutations(DeadLetter.class, SampleRecords::deadLetter, 4L);
    }

    @Test
    void mutatedNewTextEventsReadByTheOldSchemaDecodeOrFailTyped() {
        // The old reader skips the new field: this exercises the decoder's skip paths.
        Schema v1 = SchemaHistory.historyOf(TextEvent.getClassSchema().getFullName()).get(0);
        SingleObjectCodec<GenericRecord> oldReader =
                SingleObjectCodec.forGeneric(v1, List.of(TextEvent.getClassSchema()), DecodeLimits.DEFAULT);
        byte[] newBytes = SingleObjectCodec.forSpecific(TextEvent.class).encode(SampleRecords.text());
        fuzzMutations(oldReader, newBytes, 5L);
    }

    @Test
    void theDirectFeatureReaderAgreesWithAvrosReaderOnMutatedAudioEvents() {
        agreeOnMutations(AudioFeatureEvent.class, SampleRecords::audio, 6L);
    }

    @Test
    void theDirectFeatureReaderAgreesWithAvrosReaderOnMutatedImageEvents() {
        agreeOnMutations(ImageFeatureEvent.class, SampleRecords::image, 7L);
    }

    /**
     * Differential property of {@link FeatureRecordReader}: on any input, it decodes what Avro's
     * resolving reader decodes, to an equal record, and fails where Avro fails, with the same
     * failure kind.
     */
    private static <T extends SpecificRecord> void agreeOnMutations(
            Class<T> type, Supplier<T> sample, long seed) {
        SingleObjectCodec<T> direct = SingleObjectCodec.forSpecific(type, DecodeLimits.DEFAULT, true);
        SingleObjectCodec<T> avro = SingleObjectCodec.forSpecific(type, DecodeLimits.DEFAULT, false);
        byte[] original = direct.encode(sample.get());
        Random random = new Random(seed);
        Map<CodecException.Failure, Integer> seen = new EnumMap<>(CodecException.Failure.class);
        int decoded = 0;
        for (int i = 0; i < MUTATIONS_PER_TYPE; i++) {
            byte[] mutated = mutate(original, random);
            Object expected = outcome(avro, mutated);
            Object actual = outcome(direct, mutated);
            assertThat(actual).as("direct reader on " + Arrays.toString(mutated)).isEqualTo(expected);
            if (expected instanceof CodecException.Failure f) {
                seen.merge(f, 1, Integer::sum);
            } else {
                decoded++;
            }
        }
        assertThat(decoded).as("mutations that still decode").isPositive();
        assertThat(seen).containsKeys(CodecException.Failure.TRUNCATED, CodecException.Failure.MALFORMED);
    }

    /** The decoded record, or the failure kind. */
    private static Object outcome(SingleObjectCodec<?> codec, byte[] bytes) {
        try {
            return codec.decode(bytes);
        } catch (CodecException e) {
            return e.failure();
        }
    }

    private static <T extends SpecificRecord> void fuzzMutations(
            Class<T> type, Supplier<T> sample, long seed) {
        SingleObjectCodec<T> codec = SingleObjectCodec.forSpecific(type);
        fuzzMutations(codec, codec.encode(sample.get()), seed);
    }

    private static <T> void fuzzMutations(SingleObjectCodec<T> codec, byte[] original, long seed) {
        Random random = new Random(seed);
        Map<CodecException.Failure, Integer> seen = new EnumMap<>(CodecException.Failure.class);
        int decoded = 0;
        for (int i = 0; i < MUTATIONS_PER_TYPE; i++) {
            byte[] mutated = mutate(original, random);
            if (check(codec, mutated, seen)) {
                decoded++;
            }
        }
        // Body-only mutations keep many messages decodable; both outcomes must occur.
        assertThat(decoded).as("mutations that still decode").isPositive();
        assertThat(seen).containsKeys(CodecException.Failure.TRUNCATED, CodecException.Failure.MALFORMED);
    }

    /** Returns true if the bytes decoded; fails the test on anything but a typed error. */
    private static <T> boolean check(SingleObjectCodec<T> codec, byte[] bytes,
            Map<CodecException.Failure, Integer> seen) {
        T record;
        try {
            record = codec.decode(bytes);
        } catch (CodecException e) {
            assertThat(e.getMessage()).isNotBlank();
            seen.merge(e.failure(), 1, Integer::sum);
            return false;
        } catch (Throwable t) {
            throw new AssertionError("decode escaped with " + t + " for bytes "
                    + Arrays.toString(bytes), t);
        }
        assertThat(record).isNotNull();
        try {
            assertThat(codec.decode(codec.encode(record))).isEqualTo(record);
        } catch (CodecException | RuntimeException e) {
            throw new AssertionError("decoded record is not valid: " + record, e);
        }
        return true;
    }

    private static byte[] mutate(byte[] original, Random random) {
        byte[] bytes = original.clone();
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            // Keep the header intact most of the time so the body decoder sees the damage.
            int from = random.nextInt(10) == 0 ? 0 : Math.min(10, bytes.length);
            if (bytes.length <= from) {
                return bytes;
            }
            int at = from + random.nextInt(bytes.length - from);
            switch (random.nextInt(6)) {
                case 0 -> bytes[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> bytes[at] = (byte) random.nextInt(256);
                case 2 -> bytes = Arrays.copyOf(bytes, at);
                case 3 -> bytes = insert(bytes, at, (byte) random.nextInt(256));
                case 4 -> bytes = delete(bytes, at);
                default -> bytes[at] = (byte) (random.nextBoolean() ? 0xFF : 0x80);
            }
        }
        return bytes;
    }

    private static byte[] insert(byte[] bytes, int at, byte value) {
        byte[] out = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, out, 0, at);
        out[at] = value;
        System.arraycopy(bytes, at, out, at + 1, bytes.length - at);
        return out;
    }

    private static byte[] delete(byte[] bytes, int at) {
        byte[] out = new byte[bytes.length - 1];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(bytes, at + 1, out, at, bytes.length - at - 1);
        return out;
    }
}
