package dev.fusion.operators.records;

import dev.fusion.schemas.AlignmentPolicy;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One aligned set of an entity's modalities, ready for the level-2 integration model. Rows are in
 * slot order (the manifest's modalities); an absent modality has mask 0 and a zero row.
 */
public class FusionRequest {

    public String entityId;
    /** Window: the window's last millisecond; latest: the trigger record's event time. */
    public long eventTime;
    public AlignmentPolicy alignment;
    /** Window start (window policy), or null. */
    public Long windowStart;
    /** {@code modalities * dim} values, row-major by slot. */
    public float[] embeddings;
    /** Gate logit per modality (0 where absent). */
    public float[] gateLogits;
    /** 1 where the modality is present, 0 where absent. */
    public float[] mask;
    /** Every input event that contributed. */
    public String[] sourceEventIds;
    /**
     * Where each of {@link #sourceEventIds} was read from, index for index, so that a fusion's
     * dead letters keep their sources' coordinates; null in a request restored from state written
     * before these fields existed.
     */
    public String[] sourceTopics;
    public int[] sourcePartitions;
    public long[] sourceOffsets;
    /** Latest policy: the record that triggered this fusion; else null. */
    public String triggerEventId;

    public FusionRequest() {
    }

    /**
     * An empty request of {@code modalities} slots for {@code dim}-dimensional embeddings, all
     * absent.
     */
    public static FusionRequest empty(String entityId, long eventTime, AlignmentPolicy alignment,
            int modalities, int dim) {
        FusionRequest r = new FusionRequest();
        r.entityId = entityId;
        r.eventTime = eventTime;
        r.alignment = alignment;
        r.embeddings = new float[modalities * dim];
        r.gateLogits = new float[modalities];
        r.mask = new float[modalities];
        r.sourceEventIds = new String[0];
        return r;
    }

    /** Sets slot {@code slot}'s row, gate and mask. */
    public void put(int slot, float[] embedding, float gateLogit) {
        int dim = dim();
        if (embedding.length != dim) {
            throw new IllegalArgumentException("slot " + slot + " embedding has "
                    + embedding.length + " values, the request holds " + dim);
        }
        System.arraycopy(embedding, 0, embeddings, slot * dim, dim);
        gateLogits[slot] = gateLogit;
        mask[slot] = 1f;
    }

    /** Sets the sources, event ids and Kafka coordinates, in the order of {@code sources}. */
    public void setSources(List<RoutedRecord> sources) {
        int n = sources.size();
        sourceEventIds = new String[n];
        sourceTopics = new String[n];
        sourcePartitions = new int[n];
        sourceOffsets = new long[n];
        for (int i = 0; i < n; i++) {
            RoutedRecord r = sources.get(i);
            sourceEventIds[i] = r.eventId;
            sourceTopics[i] = r.sourceTopic;
            sourcePartitions[i] = r.partition;
            sourceOffsets[i] = r.offset;
        }
    }

    /** M, the number of slots. */
    public int modalities() {
        return mask.length;
    }

    /** Embedding dimension. */
    public int dim() {
        return embeddings.length / mask.length;
    }

    /** Whether slot {@code slot} is present. */
    public boolean has(int slot) {
        return mask[slot] != 0f;
    }

    /** A copy of slot {@code slot}'s embedding row. */
    public float[] embedding(int slot) {
        int dim = dim();
        return Arrays.copyOfRange(embeddings, slot * dim, (slot + 1) * dim);
    }

    /**
     * Equal content: entity, time, alignment, rows, gates, mask and source event ids. The
     * sources' coordinates are left out: they only say where those events were read from.
     */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FusionRequest r)) {
            return false;
        }
        return eventTime == r.eventTime && Objects.equals(entityId, r.entityId)
                && alignment == r.alignment && Objects.equals(windowStart, r.windowStart)
                && Arrays.equals(embeddings, r.embeddings) && Arrays.equals(gateLogits, r.gateLogits)
                && Arrays.equals(mask, r.mask) && Arrays.equals(sourceEventIds, r.sourceEventIds)
                && Objects.equals(triggerEventId, r.triggerEventId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(entityId, eventTime, triggerEventId);
    }

    @Override
    public String toString() {
        return "FusionRequest{" + entityId + " t=" + eventTime + " " + alignment + " mask="
                + Arrays.toString(mask) + " sources=" + Arrays.toString(sourceEventIds)
                + (triggerEventId == null ? "" : " trigger=" + triggerEventId) + "}";
    }
}
