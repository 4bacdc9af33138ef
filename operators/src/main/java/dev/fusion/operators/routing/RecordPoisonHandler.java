package dev.fusion.operators.routing;

import dev.fusion.operators.batch.PoisonHandler;
import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.schemas.AudioFeatureEvent;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DeadLetterReason;
import dev.fusion.schemas.ImageFeatureEvent;
import dev.fusion.schemas.TextEvent;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Dead letter for an input record that failed its routing model alone: its Kafka coordinates, and
 * the event re-encoded in the contract format as the value, so it can be inspected and replayed.
 */
public final class RecordPoisonHandler implements PoisonHandler<ModalityRecord> {

    private static final long serialVersionUID = 1L;

    @Override
    public List<DeadLetter> deadLetters(ModalityRecord r, Exception cause, long nowMillis) {
        return List.of(DeadLetter.newBuilder()
                .setSourceTopic(r.sourceTopic)
                .setPartition(r.partition)
                .setOffset(r.offset)
                .setKey(ByteBuffer.wrap(r.entityId.getBytes(StandardCharsets.UTF_8)))
                .setValue(ByteBuffer.wrap(encode(r)))
                .setReason(DeadLetterReason.INVALID)
                .setMessage("routing inference failed for this record: " + cause)
                .setEventId(r.eventId)
                .setFailedAt(Instant.ofEpochMilli(nowMillis))
                .build());
    }

    private static byte[] encode(ModalityRecord r) {
        Instant time = Instant.ofEpochMilli(r.eventTime);
        return switch (r.modality) {
            case TEXT -> SingleObjectCodec.forSpecific(TextEvent.class).encode(TextEvent.newBuilder()
                    .setEventId(r.eventId).setEntityId(r.entityId).setEventTime(time).setText(r.text).build());
            case AUDIO -> SingleObjectCodec.forSpecific(AudioFeatureEvent.class).encode(
                    AudioFeatureEvent.newBuilder().setEventId(r.eventId).setEntityId(r.entityId)
                            .setEventTime(time).setFeatures(boxed(r.features)).build());
            case IMAGE -> SingleObjectCodec.forSpecific(ImageFeatureEvent.class).encode(
                    ImageFeatureEvent.newBuilder().setEventId(r.eventId).setEntityId(r.entityId)
                            .setEventTime(time).setFeatures(boxed(r.features)).build());
        };
    }

    private static List<Float> boxed(float[] values) {
        List<Float> out = new ArrayList<>(values.length);
        for (float v : values) {
            out.add(v);
        }
        return out;
    }
}
