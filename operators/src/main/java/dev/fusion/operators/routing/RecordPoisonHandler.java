package dev.fusion.operators.routing;

import dev.fusion.operators.batch.PoisonHandler;
import dev.fusion.operators.records.ContractEvents;
import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DeadLetterReason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * Dead letter for an input record that failed its routing model alone: its Kafka coordinates, and
 * the event re-encoded in the contract format as the value, so it can be inspected and replayed.
 */
public final class RecordPoisonHandler implements PoisonHandler<ModalityRecord> {

    private static final long serialVersionUID = 1L;

    @Override
    public List<DeadLetter> deadLetters(ModalityRecord r, Exception cause, long nowMillis) {
        return List.of(DeadLetter.newBuilder()
                .setSourceTopic(r.sourceTopic)
                .setPartition(r.partition)
                .setOffset(r.offset)
                .setKey(ByteBuffer.wrap(r.entityId.getBytes(StandardCharsets.UTF_8)))
                .setValue(ByteBuffer.wrap(ContractEvents.encode(r)))
                .setReason(DeadLetterReason.INVALID)
                .setMessage("routing inference failed for this record: " + cause)
                .setEventId(r.eventId)
                .setFailedAt(Instant.ofEpochMilli(nowMillis))
                .build());
    }
}
