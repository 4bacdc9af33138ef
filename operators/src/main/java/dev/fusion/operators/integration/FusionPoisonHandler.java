package dev.fusion.operators.integration;

import dev.fusion.operators.batch.PoisonHandler;
import dev.fusion.operators.decode.DeadLetters;
import dev.fusion.operators.records.FusionRequest;
import dev.fusion.schemas.AlignmentPolicy;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DeadLetterReason;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Dead letters ({@code INFERENCE_FAILED}) for a fusion that failed the integration model alone:
 * one per input event the fusion accounts for, so that every input event is still accounted for
 * exactly once. A window fusion accounts for all its source events; a latest fusion for its
 * trigger only (the records it holds are accounted for by their own triggers). Each dead letter
 * keeps its own event's Kafka coordinates and event id, the entity id as key, and no value (the
 * input bytes are not at hand at this stage; the coordinates find them). A request restored from
 * state written before fusions carried coordinates gets topic {@value #STAGE}, partition and
 * offset -1.
 */
public final class FusionPoisonHandler implements PoisonHandler<FusionRequest> {

    private static final long serialVersionUID = 1L;
    public static final String STAGE = "(integration)";

    private final DeadLetters letters;

    public FusionPoisonHandler(DeadLetters letters) {
        this.letters = letters;
    }

    @Override
    public List<DeadLetter> deadLetters(FusionRequest r, Exception cause, long nowMillis) {
        int sources = r.alignment == AlignmentPolicy.LATEST ? 1 : r.sourceEventIds.length;
        boolean located = r.sourceTopics != null;
        byte[] key = r.entityId.getBytes(StandardCharsets.UTF_8);
        String message = "integration inference failed for the " + r.alignment + " fusion of entity "
                + r.entityId + " at " + Instant.ofEpochMilli(r.eventTime) + " (" + r.sourceEventIds.length
                + " source events): " + cause;
        List<DeadLetter> out = new ArrayList<>(sources);
        for (int i = 0; i < sources; i++) {
            // The latest policy lists its trigger first.
            String eventId = r.alignment == AlignmentPolicy.LATEST ? r.triggerEventId : r.sourceEventIds[i];
            out.add(letters.of(located ? r.sourceTopics[i] : STAGE,
                    located ? r.sourcePartitions[i] : -1, located ? r.sourceOffsets[i] : -1L,
                    key, null, DeadLetterReason.INFERENCE_FAILED, message, eventId, nowMillis));
        }
        return out;
    }
}
