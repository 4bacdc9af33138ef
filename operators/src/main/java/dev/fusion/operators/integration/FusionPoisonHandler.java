package dev.fusion.operators.integration;

import dev.fusion.operators.batch.PoisonHandler;
import dev.fusion.operators.records.FusionRequest;
import dev.fusion.schemas.AlignmentPolicy;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DeadLetterReason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Dead letters for a fusion that failed the integration model alone: one per input event the
 * fusion accounts for (every source event of a window; the trigger of a latest fusion, whose held
 * records are accounted for by their own triggers). Source coordinates are not known at this
 * stage, so the topic is {@value #STAGE} with partition and offset -1.
 */
public final class FusionPoisonHandler implements PoisonHandler<FusionRequest> {

    private static final long serialVersionUID = 1L;
    public static final String STAGE = "(integration)";

    @Override
    public List<DeadLetter> deadLetters(FusionRequest r, Exception cause, long nowMillis) {
        List<String> accounted = r.alignment == AlignmentPolicy.LATEST
                ? List.of(r.triggerEventId) : List.of(r.sourceEventIds);
        List<DeadLetter> out = new ArrayList<>(accounted.size());
        for (String eventId : accounted) {
            out.add(DeadLetter.newBuilder()
                    .setSourceTopic(STAGE)
                    .setPartition(-1)
                    .setOffset(-1L)
                    .setKey(ByteBuffer.wrap(r.entityId.getBytes(StandardCharsets.UTF_8)))
                    .setValue(null)
                    .setReason(DeadLetterReason.INVALID)
                    .setMessage("integration inference failed for the fusion of entity " + r.entityId
                            + " at " + Instant.ofEpochMilli(r.eventTime) + ": " + cause)
                    .setEventId(eventId)
                    .setFailedAt(Instant.ofEpochMilli(nowMillis))
                    .build());
        }
        return out;
    }
}
