package dev.fusion.schemas.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusion.schemas.AudioFeatureEvent;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DeadLetterReason;
import dev.fusion.schemas.DroppedEvent;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.ImageFeatureEvent;
import dev.fusion.schemas.TextEvent;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HexFormat;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** Round trips and every typed error of the single-object codec. */
class SingleObjectCodecTest {

    private final SingleObjectCodec<TextEvent> textCodec = SingleObjectCodec.forSpecific(TextEvent.class);

    @Test
    void everyContractRecordRoundTrips() {
        assertRoundTrip(TextEvent.class, SampleRecords.text());
        assertRoundTrip(AudioFeatureEvent.class, SampleRecords.audio());
        assertRoundTrip(ImageFeatureEvent.class, SampleRecords.image());
        assertRoundTrip(FusedEvent.class, SampleRecords.fused());
        assertRoundTrip(DeadLetter.class, SampleRecords.deadLetter());
        assertRoundTrip(DroppedEvent.class, SampleRecords.dropped());
    }

    @Test
    void writesTheSingleObjectHeaderWithTheLittleEndianFingerprint() {
        byte[] bytes = textCodec.encode(SampleRecords.text());
        long fp = SingleObjectCodec.fingerprint(TextEvent.getClassSchema());
        byte[] expected = new byte[10];
        expected[0] = (byte) 0xC3;
        expected[1] = 0x01;
        for (int i = 0; i < 8; i++) {
            expected[2 + i] = (byte) (fp >>> (8 * i));
        }
        assertThat(Arrays.copyOf(bytes, 10)).isEqualTo(expected);
    }

    @Test
    void agreesWithAvrosOwnSingleObjectEncoder() throws Exception {
        TextEvent event = SampleRecords.text();
        byte[] avros = event.toByteBuffer().array();
        assertThat(textCodec.encode(event)).isEqualTo(avros);
        assertThat(textCodec.decode(avros)).isEqualTo(event);
    }

    @Test
    void nullValueIsABadHeader() {
        assertFailure(() -> textCodec.decode(null), CodecException.Failure.BAD_HEADER, "value is null");
    }

    @Test
    void shortMessageIsABadHeader() {
        assertFailure(() -> textCodec.decode(new byte[] {(byte) 0xC3, 0x01, 5}),
                CodecException.Failure.BAD_HEADER, "shorter than the 10-byte single-object header");
    }

    @Test
    void wrongMarkerIsABadHeader() {
        byte[] bytes = textCodec.encode(SampleRecords.text());
        bytes[0] = 0x7B; // '{': someone sent JSON
        assertFailure(() -> textCodec.decode(bytes), CodecException.Failure.BAD_HEADER,
                "starts with 7B 01, not the single-object marker C3 01");
    }

    @Test
    void unknownFingerprintIsUnknownSchema() {
        byte[] bytes = textCodec.encode(SampleRecords.text());
        bytes[5] ^= 0x55;
        assertFailure(() -> textCodec.decode(bytes), CodecException.Failure.UNKNOWN_SCHEMA,
                "is not a known version of dev.fusion.schemas.TextEvent");
    }

    @Test
    void anotherRecordTypeIsUnknownSchemaForThisTopic() {
        byte[] audio = SingleObjectCodec.forSpecific(AudioFeatureEvent.class).encode(SampleRecords.audio());
        assertFailure(() -> textCodec.decode(audio), CodecException.Failure.UNKNOWN_SCHEMA,
                "known: [TextEvent v1, TextEvent v2]");
    }

    @Test
    void everyTruncationIsTruncated() {
        byte[] bytes = textCodec.encode(SampleRecords.text());
        for (int length = 10; length < bytes.length; length++) {
            byte[] prefix = Arrays.copyOf(bytes, length);
            assertFailure(() -> textCodec.decode(prefix), CodecException.Failure.TRUNCATED, "body ends early");
        }
    }

    @Test
    void trailingBytesAreMalformed() {
        byte[] bytes = textCodec.encode(SampleRecords.text());
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 2);
        assertFailure(() -> textCodec.decode(longer), CodecException.Failure.MALFORMED,
                "2 trailing bytes after the record");
    }

    @Test
    void absurdStringLengthIsTooLargeWithoutAllocating() {
        // event_id declares a 2^31-1 byte string: Avro's own decoder would try to allocate it.
        byte[] bytes = concat(header(TextEvent.getClassSchema()), zigZagVarLong(Integer.MAX_VALUE));
        assertFailure(() -> textCodec.decode(bytes), CodecException.Failure.TOO_LARGE,
                "string length 2147483647 exceeds the limit 1048576");
    }

    @Test
    void absurdArrayCountIsTooLarge() {
        SingleObjectCodec<AudioFeatureEvent> codec = SingleObjectCodec.forSpecific(AudioFeatureEvent.class);
        byte[] body = concat(avroString("a-1"), avroString("user-42"), zigZagVarLong(1),
                zigZagVarLong(Long.MAX_VALUE / 2));
        byte[] bytes = concat(header(AudioFeatureEvent.getClassSchema()), body);
        assertFailure(() -> codec.decode(bytes), CodecException.Failure.TOO_LARGE,
                "array of 4611686018427387903 items exceeds the limit 1048576");
    }

    @Test
    void arrayCountBeyondTheRemainingBytesIsTruncated() {
        SingleObjectCodec<AudioFeatureEvent> codec = SingleObjectCodec.forSpecific(AudioFeatureEvent.class);
        byte[] body = concat(avroString("a-1"), avroString("user-42"), zigZagVarLong(1),
                zigZagVarLong(1000), new byte[8]);
        byte[] bytes = concat(header(AudioFeatureEvent.getClassSchema()), body);
        assertFailure(() -> codec.decode(bytes), CodecException.Failure.TRUNCATED,
                "array block declares 1000 items but only 8 bytes remain");
    }

    @Test
    void negativeLengthIsMalformed() {
        byte[] bytes = concat(header(TextEvent.getClassSchema()), zigZagVarLong(-5));
        assertFailure(() -> textCodec.decode(bytes), CodecException.Failure.MALFORMED,
                "string length -5 is negative");
    }

    @Test
    void overlongVarintIsMalformed() {
        byte[] ones = new byte[12];
        Arrays.fill(ones, (byte) 0xFF);
        byte[] bytes = concat(header(TextEvent.getClassSchema()), ones);
        assertFailure(() -> textCodec.decode(bytes), CodecException.Failure.MALFORMED,
                "variable-length integer longer than 10 bytes");
    }

    @Test
    void badUnionIndexIsMalformed() {
        byte[] body = concat(avroString("t-1"), avroString("u"), zigZagVarLong(0), avroString("x"),
                zigZagVarLong(7));
        byte[] bytes = concat(header(TextEvent.getClassSchema()), body);
        assertFailure(() -> textCodec.decode(bytes), CodecException.Failure.MALFORMED, "cannot decode TextEvent v2");
    }

    @Test
    void messageOverTheSizeLimitIsTooLarge() {
        SingleObjectCodec<TextEvent> small = SingleObjectCodec.forSpecific(TextEvent.class,
                new DecodeLimits(64, 32, 16));
        byte[] bytes = textCodec.encode(TextEvent.newBuilder(SampleRecords.text())
                .setText("x".repeat(100)).build());
        assertFailure(() -> small.decode(bytes), CodecException.Failure.TOO_LARGE,
                "exceeds the limit 64");
    }

    @Test
    void stringOverTheConfiguredLimitIsTooLarge() {
        SingleObjectCodec<TextEvent> small = SingleObjectCodec.forSpecific(TextEvent.class,
                new DecodeLimits(1024, 32, 16));
        byte[] bytes = textCodec.encode(TextEvent.newBuilder(SampleRecords.text())
                .setText("x".repeat(33)).build());
        assertFailure(() -> small.decode(bytes), CodecException.Failure.TOO_LARGE,
                "string length 33 exceeds the limit 32");
    }

    @Test
    void failuresMapToTheContractsDeadLetterReasons() {
        assertThat(CodecException.Failure.UNKNOWN_SCHEMA.deadLetterReason())
                .isEqualTo(DeadLetterReason.UNKNOWN_SCHEMA);
        for (CodecException.Failure f : CodecException.Failure.values()) {
            if (f != CodecException.Failure.UNKNOWN_SCHEMA) {
                assertThat(f.deadLetterReason()).as(f.name()).isEqualTo(DeadLetterReason.MALFORMED);
            }
        }
    }

    @Test
    void rejectsNonPositiveLimits() {
        assertThatThrownBy(() -> new DecodeLimits(0, 1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxMessageBytes=0");
    }

    private static <T extends SpecificRecord> void assertRoundTrip(Class<T> type, T record) {
        SingleObjectCodec<T> codec = SingleObjectCodec.forSpecific(type);
        try {
            assertThat(codec.decode(codec.encode(record))).isEqualTo(record);
        } catch (CodecException e) {
            throw new AssertionError(type.getSimpleName() + " did not round-trip", e);
        }
    }

    /** A decode call that must fail. */
    interface Decode {
        Object run() throws CodecException;
    }

    static void assertFailure(Decode decode, CodecException.Failure failure, String messagePart) {
        assertThatThrownBy(decode::run)
                .isInstanceOfSatisfying(CodecException.class,
                        e -> assertThat(e.failure()).as(e.getMessage()).isEqualTo(failure))
                .hasMessageContaining(messagePart);
    }

    static byte[] header(org.apache.avro.Schema schema) {
        long fp = SingleObjectCodec.fingerprint(schema);
        byte[] h = new byte[10];
        h[0] = (byte) 0xC3;
        h[1] = 0x01;
        for (int i = 0; i < 8; i++) {
            h[2 + i] = (byte) (fp >>> (8 * i));
        }
        return h;
    }

    static byte[] zigZagVarLong(long value) {
        long n = (value << 1) ^ (value >> 63);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((n & ~0x7FL) != 0) {
            out.write((int) ((n & 0x7F) | 0x80));
            n >>>= 7;
        }
        out.write((int) n);
        return out.toByteArray();
    }

    static byte[] avroString(String s) {
        byte[] utf8 = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return concat(zigZagVarLong(utf8.length), utf8);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void headerHelperMatchesTheCodec() {
        byte[] bytes = textCodec.encode(SampleRecords.text());
        assertThat(HexFormat.of().formatHex(Arrays.copyOf(bytes, 10)))
                .isEqualTo(HexFormat.of().formatHex(header(TextEvent.getClassSchema())));
    }

    @Test
    void featureArraysWrittenInSizedBlocksDecodeToAFloatArray() throws Exception {
        // A blocking encoder splits the array into blocks of a negative count and a byte size.
        ImageFeatureEvent event = SampleRecords.image();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(SingleObjectCodec.forSpecific(ImageFeatureEvent.class).encode(event), 0, 10);
        org.apache.avro.io.BinaryEncoder encoder = new org.apache.avro.io.EncoderFactory()
                .configureBlockSize(64).blockingBinaryEncoder(out, null);
        new org.apache.avro.specific.SpecificDatumWriter<>(ImageFeatureEvent.class).write(event, encoder);
        encoder.flush();
        byte[] blocked = out.toByteArray();
        assertThat(blocked).isNotEqualTo(SingleObjectCodec.forSpecific(ImageFeatureEvent.class).encode(event));

        ImageFeatureEvent decoded = SingleObjectCodec.forSpecific(ImageFeatureEvent.class).decode(blocked);

        assertThat(decoded).isEqualTo(event);
        assertThat(decoded.getFeatures()).isInstanceOf(FloatArrayList.class);
        assertThat(SingleObjectCodec.forSpecific(ImageFeatureEvent.class, DecodeLimits.DEFAULT, false)
                .decode(blocked)).isEqualTo(decoded);
    }

    @Test
    void floatArraysHeldUnboxedEncodeToTheBytesAvroWrites() throws Exception {
        java.util.Random random = new java.util.Random(11);
        SingleObjectCodec<FusedEvent> codec = SingleObjectCodec.forSpecific(FusedEvent.class);
        SingleObjectCodec<FusedEvent> avro =
                SingleObjectCodec.forSpecific(FusedEvent.class, DecodeLimits.DEFAULT, false);
        for (int n : new int[] {0, 1, 3, 64, 1000}) {
            float[] fused = new float[n];
            for (int i = 0; i < n; i++) {
                fused[i] = i % 7 == 3 ? Float.NaN : (float) random.nextGaussian();
            }
            FusedEvent boxed = FusedEvent.newBuilder(SampleRecords.fused())
                    .setFused(new java.util.ArrayList<>(dev.fusion.schemas.Floats.asList(fused))).build();
            FusedEvent unboxed = FusedEvent.newBuilder(SampleRecords.fused())
                    .setFused(new FloatArrayList(fused)).build();

            byte[] expected = avro.encode(boxed);
            assertThat(codec.encode(unboxed)).isEqualTo(expected);
            assertThat(codec.encode(boxed)).isEqualTo(expected);
            assertThat(codec.decode(codec.encode(unboxed)).getFused()).isEqualTo(boxed.getFused());
        }
    }

    @Test
    void encodingReusesItsBufferWithoutLeakingBytesBetweenRecords() throws Exception {
        SingleObjectCodec<ImageFeatureEvent> codec = SingleObjectCodec.forSpecific(ImageFeatureEvent.class);
        ImageFeatureEvent big = SampleRecords.image();
        ImageFeatureEvent small = ImageFeatureEvent.newBuilder(big)
                .setFeatures(java.util.List.of(1f)).build();
        byte[] first = codec.encode(big);
        byte[] second = codec.encode(small);
        assertThat(second.length).isLessThan(first.length);
        assertThat(codec.decode(second)).isEqualTo(small);
        assertThat(codec.decode(first)).isEqualTo(big);
        assertThat(codec.encode(big)).isEqualTo(first);
    }
}
