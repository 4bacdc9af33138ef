package dev.fusion.operators.records;

import dev.fusion.schemas.Modality;
import java.util.Arrays;
import java.util.Objects;

/** A record after its level-1 routing layer: a common-space embedding and a gate logit. */
public class RoutedRecord {

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
        r.modality = input.modality;
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
                && Float.compare(gateLogit, r.gateLogit) == 0 && modality == r.modality
                && Objects.equals(eventId, r.eventId) && Objects.equals(entityId, r.entityId)
                && Objects.equals(sourceTopic, r.sourceTopic) && Arrays.equals(embedding, r.embedding);
    }

    @Override
    public int hashCode() {
        return Objects.hash(modality, eventId);
    }

    @Override
    public String toString() {
        return "RoutedRecord{" + modality + " " + eventId + " entity=" + entityId + " t=" + eventTime
                + " gate=" + gateLogit + "}";
    }
}
