package dev.fusion.operators.records;

import dev.fusion.models.manifest.Modality;
import dev.fusion.schemas.AudioFeatureEvent;
import dev.fusion.schemas.FeatureEvent;
import dev.fusion.schemas.Floats;
import dev.fusion.schemas.ImageFeatureEvent;
import dev.fusion.schemas.TextEvent;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.time.Instant;

/**
 * Turns a decoded {@link ModalityRecord} back into its contract record's single-object bytes: a
 * {@code TextEvent}, the {@code AudioFeatureEvent} or {@code ImageFeatureEvent} of the streams so
 * named, else a {@code FeatureEvent}.
 */
public final class ContractEvents {

    private static final SingleObjectCodec<TextEvent> TEXT = SingleObjectCodec.forSpecific(TextEvent.class);
    private static final SingleObjectCodec<AudioFeatureEvent> AUDIO =
            SingleObjectCodec.forSpecific(AudioFeatureEvent.class);
    private static final SingleObjectCodec<ImageFeatureEvent> IMAGE =
            SingleObjectCodec.forSpecific(ImageFeatureEvent.class);
    private static final SingleObjectCodec<FeatureEvent> FEATURES =
            SingleObjectCodec.forSpecific(FeatureEvent.class);

    private ContractEvents() {
    }

    /** The record of {@code modality}'s stream as its topic carries it. */
    public static byte[] encode(Modality modality, ModalityRecord r) {
        Instant time = Instant.ofEpochMilli(r.eventTime);
        if (modality.isText()) {
            return TEXT.encode(TextEvent.newBuilder().setEventId(r.eventId).setEntityId(r.entityId)
                    .setEventTime(time).setText(r.text).build());
        }
        return switch (modality.id()) {
            case Modality.AUDIO -> AUDIO.encode(AudioFeatureEvent.newBuilder().setEventId(r.eventId)
                    .setEntityId(r.entityId).setEventTime(time).setFeatures(Floats.asList(r.features)).build());
            case Modality.IMAGE -> IMAGE.encode(ImageFeatureEvent.newBuilder().setEventId(r.eventId)
                    .setEntityId(r.entityId).setEventTime(time).setFeatures(Floats.asList(r.features)).build());
            default -> FEATURES.encode(FeatureEvent.newBuilder().setEventId(r.eventId)
                    .setEntityId(r.entityId).setEventTime(time).setFeatures(Floats.asList(r.features)).build());
        };
    }
}
