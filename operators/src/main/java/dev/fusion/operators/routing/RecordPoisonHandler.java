package dev.fusion.operators.routing;

import dev.fusion.models.manifest.Modality;
import dev.fusion.operators.batch.PoisonHandler;
import dev.fusion.operators.decode.DeadLetters;
import dev.fusion.operators.records.ContractEvents;
import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DeadLetterReason;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Dead letter ({@code INFERENCE_FAILED}) for an input record that failed its routing model alone:
 * its Kafka coordinates and event id, and the event re-encoded in the contract format as the
 * value, so it can be inspected and replayed.
 */
public final class RecordPoisonHandler implements PoisonHandler<ModalityRecord> {

    private static final long serialVersionUID = 1L;

    private final Modality modality;
    private final DeadLetters letters;

    /** The handler of {@code modality}'s stream. */
    public RecordPoisonHandler(Modality modality, DeadLetters letters) {
        this.modality = modality;
        this.letters = letters;
    }

    @Override
    public List<DeadLetter> deadLetters(ModalityRecord r, Exception cause, long nowMillis) {
        return List.of(letters.of(r.sourceTopic, r.partition, r.offset,
                r.entityId.getBytes(StandardCharsets.UTF_8), ContractEvents.encode(modality, r),
                DeadLetterReason.INFERENCE_FAILED, "routing inference failed for this record: " + cause,
                r.eventId, nowMillis));
    }
}
