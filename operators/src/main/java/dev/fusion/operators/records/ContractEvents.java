package dev.fusion.operators.records;

import dev.fusion.schemas.AudioFeatureEvent;
import dev.fusion.schemas.Floats;
import dev.fusion.schemas.ImageFeatureEvent;
import dev.fusion.schemas.TextEvent;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.time.Instant;

/** Turns a decoded {@link ModalityRecord} back into its contract record's single-object bytes. */
public final class ContractEvents {

    private static final SingleObjectCodec<TextEvent> TEXT = SingleObjectCodec.forSpecific(TextEvent.class);
    private static final SingleObjectCodec<AudioFeatureEvent> AUDIO =
            SingleObjectCodec.forSpecific(AudioFeatureEvent.class);
    private static final SingleObjectCodec<ImageFeatureEvent> IMAGE =
            SingleObjectCodec.forSpecific(ImageFeatureEvent.class);

    private ContractEvents() {
    }

    /** The record as its topic carries it. */
    public static byte[] encode(ModalityRecord r) {
        Instant time = Instant.ofEpochMilli(r.eventTime);
        return switch (r.modality) {
            case TEXT -> TEXT.encode(TextEvent.newBuilder().setEventId(r.eventId).setEntityId(r.entityId)
                    .setEventTime(time).setText(r.text).build());
            case AUDIO -> AUDIO.encode(AudioFeatureEvent.newBuilder().setEventId(r.eventId)
                    .setEntityId(r.entityId).setEventTime(time).setFeatures(Floats.asList(r.features)).build());
            case IMAGE -> IMAGE.encode(ImageFeatureEvent.newBuilder().setEventId(r.eventId)
                    .setEntityId(r.entityId).setEventTime(time).setFeatures(Floats.asList(r.features)).build());
        };
    }
}
