package dev.fusion.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusion.operators.records.RawRecord;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DeadLetterReason;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Dead letters are bounded: caps on key, value, message, topic and event id, exact sizes and digests. */
class DeadLettersTest {

    private static final int CAP = 1000;
    private static final int KEY_CAP = 16;
    private static final long NOW = 1_800_000_000_000L;
    private static final SingleObjectCodec<DeadLetter> CODEC = SingleObjectCodec.forSpecific(DeadLetter.class);

    private final DeadLetters letters = new DeadLetters(CAP, KEY_CAP);

    @ParameterizedTest
    @ValueSource(ints = {0, 1, CAP - 1, CAP})
    void aValueUpToTheCapIsKeptWhole(int size) throws Exception {
        byte[] value = random(size, size);
        DeadLetter d = letters.of(raw(utf8("user-1"), value), DeadLetterReason.MALFORMED, "bad", null, NOW);

        assertThat(bytes(d.getValue())).isEqualTo(value);
        assertThat(d.getValueSize()).isEqualTo(size);
        assertThat(d.getValueTruncated()).isFalse();
        assertThat(d.getValueSha256().bytes()).isEqualTo(sha256(value));
    }

    @ParameterizedTest
    @ValueSource(ints = {CAP + 1, 2 * CAP, 8 << 20})
    void aValueOverTheCapKeepsItsFirstBytesItsSizeAndTheDigestOfTheWhole(int size) throws Exception {
        byte[] value = random(size, 7);
        DeadLetter d = letters.of(raw(utf8("user-1"), value), DeadLetterReason.MALFORMED, "bad", null, NOW);

        assertThat(bytes(d.getValue())).isEqualTo(Arrays.copyOf(value, CAP));
        assertThat(d.getValueSize()).isEqualTo(size);
        assertThat(d.getValueTruncated()).isTrue();
        assertThat(d.getValueSha256().bytes()).isEqualTo(sha256(value))
                .isNotEqualTo(sha256(Arrays.copyOf(value, CAP)));
        assertThat(CODEC.encode(d).length).isLessThanOrEqualTo(letters.maxEncodedBytes());
    }

    @Test
    void theDigestIsTheKnownSha256OfTheBytes() {
        // FIPS 180-2 test vector: SHA-256("abc").
        DeadLetter d = letters.of(raw(null, utf8("abc")), DeadLetterReason.MALFORMED, "m", null, NOW);
        assertThat(hex(d.getValueSha256().bytes()))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void aNullValueAndKeyHaveNoSizeNoDigestAndAreNotTruncated() {
        DeadLetter d = letters.of(raw(null, null), DeadLetterReason.MALFORMED, "value is null", null, NOW);

        assertThat(d.getValue()).isNull();
        assertThat(d.getValueSize()).isNull();
        assertThat(d.getValueSha256()).isNull();
        assertThat(d.getValueTruncated()).isFalse();
        assertThat(d.getKey()).isNull();
        assertThat(d.getKeySize()).isNull();
        assertThat(d.getKeySha256()).isNull();
        assertThat(d.getKeyTruncated()).isFalse();
    }

    @Test
    void anEmptyValueHasSizeZeroAndTheDigestOfNothing() throws Exception {
        DeadLetter d = letters.of(raw(null, new byte[0]), DeadLetterReason.MALFORMED, "m", null, NOW);
        assertThat(d.getValueSize()).isZero();
        assertThat(d.getValueSha256().bytes()).isEqualTo(sha256(new byte[0]));
        assertThat(bytes(d.getValue())).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {KEY_CAP - 1, KEY_CAP, KEY_CAP + 1, 100_000})
    void theKeyIsCappedTheSameWay(int size) throws Exception {
        byte[] key = random(size, 3);
        DeadLetter d = letters.of(raw(key, utf8("v")), DeadLetterReason.MALFORMED, "m", null, NOW);

        assertThat(bytes(d.getKey())).isEqualTo(Arrays.copyOf(key, Math.min(size, KEY_CAP)));
        assertThat(d.getKeySize()).isEqualTo(size);
        assertThat(d.getKeyTruncated()).isEqualTo(size > KEY_CAP);
        assertThat(d.getKeySha256().bytes()).isEqualTo(sha256(key));
    }

    @Test
    void keepsTheCoordinatesReasonEventIdAndTime() {
        DeadLetter d = letters.of(raw(utf8("user-1"), utf8("v")), DeadLetterReason.INVALID, "bad text",
                "t-1", NOW);
        assertThat(d.getSourceTopic()).isEqualTo("fusion.text");
        assertThat(d.getPartition()).isEqualTo(2);
        assertThat(d.getOffset()).isEqualTo(41L);
        assertThat(d.getReason()).isEqualTo(DeadLetterReason.INVALID);
        assertThat(d.getMessage()).isEqualTo("bad text");
        assertThat(d.getEventId()).isEqualTo("t-1");
        assertThat(d.getFailedAt()).isEqualTo(Instant.ofEpochMilli(NOW));
    }

    @Test
    void aLongMessageIsCutToTheBoundAndSaysHowLongItWas() {
        String exact = "m".repeat(DeadLetters.MAX_MESSAGE_CHARS);
        assertThat(DeadLetters.boundedMessage(exact)).isEqualTo(exact);

        String longer = "x".repeat(DeadLetters.MAX_MESSAGE_CHARS + 1);
        String cut = DeadLetters.boundedMessage(longer);
        String note = "... [message cut, " + (DeadLetters.MAX_MESSAGE_CHARS + 1) + " chars in all]";
        assertThat(cut).hasSize(DeadLetters.MAX_MESSAGE_CHARS)
                .isEqualTo("x".repeat(DeadLetters.MAX_MESSAGE_CHARS - note.length()) + note);
    }

    @Test
    void aMessageIsNeverCutInsideASurrogatePair() {
        String note = "... [message cut, 3000 chars in all]";
        int keep = DeadLetters.MAX_MESSAGE_CHARS - note.length();
        // The pair straddles the cut: its high surrogate is the last char that would be kept.
        String message = "a".repeat(keep - 1) + "\uD83D\uDE00" + "b".repeat(3000 - keep - 1);
        assertThat(message).hasSize(3000);

        String cut = DeadLetters.boundedMessage(message);
        assertThat(cut).isEqualTo("a".repeat(keep - 1) + note);
    }

    @Test
    void anOverLongEventIdIsNotKeptAndTheMessageSaysSo() {
        String id = "i".repeat(DeadLetters.MAX_EVENT_ID_CHARS + 1);
        DeadLetter d = letters.of(raw(null, utf8("v")), DeadLetterReason.INVALID, "text is empty", id, NOW);
        assertThat(d.getEventId()).isNull();
        assertThat(d.getMessage()).isEqualTo("event_id of " + (DeadLetters.MAX_EVENT_ID_CHARS + 1)
                + " chars is longer than " + DeadLetters.MAX_EVENT_ID_CHARS + " and is not kept;"
                + " text is empty");

        String longest = "i".repeat(DeadLetters.MAX_EVENT_ID_CHARS);
        assertThat(letters.of(raw(null, utf8("v")), DeadLetterReason.INVALID, "m", longest, NOW)
                .getEventId()).isEqualTo(longest);
    }

    @Test
    void theLargestPossibleDeadLetterEncodesWithinTheBound() {
        // Three UTF-8 bytes per char everywhere, every field at or over its bound.
        String wide = "\u20AC";
        DeadLetter d = letters.of(wide.repeat(300), Integer.MAX_VALUE, Long.MAX_VALUE,
                random(KEY_CAP * 10, 1), random(CAP * 10, 2), DeadLetterReason.INFERENCE_FAILED,
                wide.repeat(5000), wide.repeat(DeadLetters.MAX_EVENT_ID_CHARS), NOW);

        int encoded = CODEC.encode(d).length;
        assertThat(d.getSourceTopic()).hasSize(DeadLetters.MAX_TOPIC_CHARS);
        assertThat(encoded).isLessThanOrEqualTo(letters.maxEncodedBytes())
                // The bound counts 5-byte varints where these take 1 to 3, and 3 bytes for each
                // char of the message's ASCII note: it is tight, not loose.
                .isGreaterThan(letters.maxEncodedBytes() - 128);
        assertThat(letters.maxEncodedBytes()).isEqualTo(CAP + KEY_CAP + 9_909);
    }

    @Test
    void capsOutsideTheirRangeAreRejectedNamingTheKey() {
        assertThatThrownBy(() -> new DeadLetters(-1, 0))
                .hasMessage("dlq.max-value-bytes must be between 0 and 16777216, got -1");
        assertThatThrownBy(() -> new DeadLetters(0, (1 << 20) + 1))
                .hasMessage("dlq.max-key-bytes must be between 0 and 1048576, got 1048577");
    }

    private static RawRecord raw(byte[] key, byte[] value) {
        return new RawRecord("fusion.text", 2, 41L, NOW - 5, key, value);
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x));
        }
        return sb.toString();
    }
}
