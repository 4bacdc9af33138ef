package dev.fusion.operators.records;

import dev.fusion.schemas.AlignmentPolicy;
import dev.fusion.schemas.Modality;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One aligned set of an entity's modalities, ready for the level-2 integration model. Rows are in
 * {@link Modality} order (TEXT, AUDIO, IMAGE); an absent modality has mask 0 and a zero row.
 */
public class FusionRequest {

    public static final int MODALITIES = Modality.values().length;

    public String entityId;
    /** Window: the window's last millisecond; latest: the trigger record's event time. */
    public long eventTime;
    public AlignmentPolicy alignment;
    /** Window start (window policy), or null. */
    public Long windowStart;
    /** {@code MODALITIES * dim} values, row-major by modality. */
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

    /** An empty request for {@code dim}-dimensional embeddings, all modalities absent. */
    public static FusionRequest empty(String entityId, long eventTime, AlignmentPolicy alignment,
            int dim) {
        FusionRequest r = new FusionRequest();
        r.entityId = entityId;
        r.eventTime = eventTime;
        r.alignment = alignment;
        r.embeddings = new float[MODALITIES * dim];
        r.gateLogits = new float[MODALITIES];
        r.mask = new float[MODALITIES];
        r.sourceEventIds = new String[0];
        return r;
    }

    /** Sets modality {@code m}'s row, gate and mask. */
    public void put(Modality m, float[] embedding, float gateLogit) {
        int dim = dim();
        if (embedding.length != dim) {
            throw new IllegalArgumentException(m + " embedding has " + embedding.length
                    + " values, the request holds " + dim);
        }
        System.arraycopy(embedding, 0, embeddings, m.ordinal() * dim, dim);
        gateLogits[m.ordinal()] = gateLogit;
        mask[m.ordinal()] = 1f;
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

    /** Embedding dimension. */
    public int dim() {
        return embeddings.length / MODALITIES;
    }

    /** Whether modality {@code m} is present. */
    public boolean has(Modality m) {
        return mask[m.ordinal()] != 0f;
    }

    /** A copy of modality {@code m}'s embedding row. */
    public float[] embedding(Modality m) {
        int dim = dim();
        return Arrays.copyOfRange(embeddings, m.ordinal() * dim, (m.ordinal() + 1) * dim);
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
