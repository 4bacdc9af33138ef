package dev.fusion.operators.records;

import java.util.Arrays;
import java.util.Objects;

/**
 * A decoded, validated input event of one modality, with the Kafka coordinates it came from so
 * that any later drop can still name them. Exactly one of {@code text} and {@code features} is set.
 */
public class ModalityRecord {

    /** The stream's slot: its index in the manifest's modalities ({@code Modality#index()}). */
    public int slot;
    public String eventId;
    public String entityId;
    public long eventTime;
    public String sourceTopic;
    public int partition;
    public long offset;
    public String text;
    public float[] features;

    public ModalityRecord() {
    }

    /** A text record of the stream in {@code slot}. */
    public static ModalityRecord text(int slot, String eventId, String entityId, long eventTime,
            String text, String sourceTopic, int partition, long offset) {
        ModalityRecord r = base(slot, eventId, entityId, eventTime, sourceTopic, partition, offset);
        r.text = text;
        return r;
    }

    /** A feature record of the stream in {@code slot}. */
    public static ModalityRecord features(int slot, String eventId, String entityId,
            long eventTime, float[] features, String sourceTopic, int partition, long offset) {
        ModalityRecord r = base(slot, eventId, entityId, eventTime, sourceTopic, partition, offset);
        r.features = features;
        return r;
    }

    private static ModalityRecord base(int slot, String eventId, String entityId,
            long eventTime, String sourceTopic, int partition, long offset) {
        ModalityRecord r = new ModalityRecord();
        r.slot = slot;
        r.eventId = eventId;
        r.entityId = entityId;
        r.eventTime = eventTime;
        r.sourceTopic = sourceTopic;
        r.partition = partition;
        r.offset = offset;
        return r;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ModalityRecord r)) {
            return false;
        }
        return eventTime == r.eventTime && partition == r.partition && offset == r.offset
                && slot == r.slot && Objects.equals(eventId, r.eventId)
                && Objects.equals(entityId, r.entityId) && Objects.equals(sourceTopic, r.sourceTopic)
                && Objects.equals(text, r.text) && Arrays.equals(features, r.features);
    }

    @Override
    public int hashCode() {
        return Objects.hash(slot, eventId);
    }

    @Override
    public String toString() {
        return "ModalityRecord{slot " + slot + " " + eventId + " entity=" + entityId + " t=" + eventTime
                + " " + sourceTopic + "/" + partition + "@" + offset + "}";
    }
}
