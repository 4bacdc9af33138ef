package dev.fusion.operators.decode;

import dev.fusion.operators.records.RawRecord;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DeadLetterReason;
import java.nio.ByteBuffer;
import java.time.Instant;

/** Builds {@link DeadLetter}s that keep a raw record's coordinates, key and value unchanged. */
public final class DeadLetters {

    private DeadLetters() {
    }

    /** A dead letter for a raw record that could not be used. */
    public static DeadLetter of(RawRecord raw, DeadLetterReason reason, String message,
            String eventId, long nowMillis) {
        return DeadLetter.newBuilder()
                .setSourceTopic(raw.topic)
                .setPartition(raw.partition)
                .setOffset(raw.offset)
                .setKey(raw.key == null ? null : ByteBuffer.wrap(raw.key))
                .setValue(raw.value == null ? null : ByteBuffer.wrap(raw.value))
                .setReason(reason)
                .setMessage(message)
                .setEventId(eventId)
                .setFailedAt(Instant.ofEpochMilli(nowMillis))
                .build();
    }
}
