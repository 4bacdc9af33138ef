package dev.fusion.operators.records;

import dev.fusion.schemas.Modality;
import java.util.Arrays;
import java.util.Objects;

/**
 * A record after its level-1 routing layer: a common-space embedding and a gate logit. Alignment
 * keeps these in state, so its fields are the state's format.
 */
public class RoutedRecord {

    /** The stream's slot: its index in the manifest's modalities ({@code Modality#index()}). */
    public int slot;
    /**
     * Only in state written before streams were configurable (which had no {@link #slot}): the
     * record's modality, until the restoring operator moves it into {@link #slot}
     * ({@code LegacyAlignState}); null in every record written since.
     */
    public Modality modality;
    public String eventId;
    public String entityId;
    public long eventTime;
    public String sourceTopic;
    public int partition;
    public long offset;
    public float[] embedding;
    public float gateLogit;

    public RoutedRecord() {
    }

    /** The routed form of {@code input}. */
    public static RoutedRecord of(ModalityRecord input, float[] embedding, float gateLogit) {
        RoutedRecord r = new RoutedRecord();
        r.slot = input.slot;
        r.eventId = input.eventId;
        r.entityId = input.entityId;
        r.eventTime = input.eventTime;
        r.sourceTopic = input.sourceTopic;
        r.partition = input.partition;
        r.offset = input.offset;
        r.embedding = embedding;
        r.gateLogit = gateLogit;
        return r;
    }

    /** The gate as a probability, {@code sigmoid(gateLogit)}. */
    public double gate() {
        return 1.0 / (1.0 + Math.exp(-gateLogit));
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RoutedRecord r)) {
            return false;
        }
        return eventTime == r.eventTime && partition == r.partition && offset == r.offset
                && Float.compare(gateLogit, r.gateLogit) == 0 && slot == r.slot && modality == r.modality
                && Objects.equals(eventId, r.eventId) && Objects.equals(entityId, r.entityId)
                && Objects.equals(sourceTopic, r.sourceTopic) && Arrays.equals(embedding, r.embedding);
    }

    @Override
    public int hashCode() {
        return Objects.hash(slot, eventId);
    }

    @Override
    public String toString() {
        return "RoutedRecord{slot " + slot + " " + eventId + " entity=" + entityId + " t=" + eventTime
                + " gate=" + gateLogit + "}";
    }
}
