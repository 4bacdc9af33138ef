package dev.fusion.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.operators.records.RawRecord;
import dev.fusion.schemas.ImageFeatureEvent;
import dev.fusion.operators.TestStreams;
import dev.fusion.schemas.TextEvent;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The source's timestamp assigner reads event_time alone and never lets a bad one move time. */
class EventTimeAssignerTest {

    private final EventTimeAssigner text =
            new EventTimeAssigner(DecodeFunctionTest.decoder(TestStreams.TEXT));

    @Test
    void readsTheEventTimeOfAValidRecord() {
        Instant t = DecodeFunctionTest.NOW.minusSeconds(30);
        byte[] bytes = SingleObjectCodec.forSpecific(TextEvent.class)
                .encode(DecodeFunctionTest.text("t-1", "u-1", t, "hello"));
        assertThat(text.extractTimestamp(raw(bytes), 5L)).isEqualTo(t.toEpochMilli());
    }

    @Test
    void decodesOnceAndHandsTheRecordToTheDecodeOperator() {
        EventTimeAssigner image =
                new EventTimeAssigner(DecodeFunctionTest.decoder(TestStreams.IMAGE));
        byte[] bytes = SingleObjectCodec.forSpecific(ImageFeatureEvent.class)
                .encode(DecodeFunctionTest.image("i-1", List.of(1f, 2f, 3f, 4f, 5f, 6f)));
        RawRecord raw = raw(bytes);
        assertThat(image.extractTimestamp(raw, 5L)).isEqualTo(DecodeFunctionTest.NOW.toEpochMilli());
        assertThat(raw.decoded).isNotNull();
        assertThat(raw.decoded.eventId).isEqualTo("i-1");
        assertThat(raw.decodeFailure).isNull();
    }

    @Test
    void aRecordThatWillBeADeadLetterGetsMinValueEvenWithAValidTime() {
        EventTimeAssigner image =
                new EventTimeAssigner(DecodeFunctionTest.decoder(TestStreams.IMAGE));
        byte[] wrongDimension = SingleObjectCodec.forSpecific(ImageFeatureEvent.class)
                .encode(DecodeFunctionTest.image("i-1", List.of(1f, 2f)));
        RawRecord raw = raw(wrongDimension);
        assertThat(image.extractTimestamp(raw, 5L)).isEqualTo(Long.MIN_VALUE);
        assertThat(raw.decodeFailure).isInstanceOf(InvalidRecordException.class);
    }

    @Test
    void undecodableBytesGetMinValue() {
        assertThat(text.extractTimestamp(raw(new byte[] {9, 9, 9}), 5L)).isEqualTo(Long.MIN_VALUE);
        assertThat(text.extractTimestamp(raw(null), 5L)).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void outOfRangeTimesGetMinValueSoTheyCannotMoveTheWatermark() {
        byte[] future = SingleObjectCodec.forSpecific(TextEvent.class).encode(DecodeFunctionTest.text(
                "t-1", "u-1", DecodeFunctionTest.NOW.plus(Duration.ofDays(365)), "x"));
        assertThat(text.extractTimestamp(raw(future), 5L)).isEqualTo(Long.MIN_VALUE);
    }

    private static RawRecord raw(byte[] value) {
        return new RawRecord("fusion.text", 0, 1, 0L, null, value);
    }
}
