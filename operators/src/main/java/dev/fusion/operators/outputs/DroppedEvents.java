package dev.fusion.operators.outputs;

import dev.fusion.operators.records.RoutedRecord;
import dev.fusion.schemas.DropReason;
import dev.fusion.schemas.DroppedEvent;
import java.time.Instant;

/** Builds {@link DroppedEvent}s that keep a record's Kafka coordinates. */
public final class DroppedEvents {

    private DroppedEvents() {
    }

    /** A dropped event for {@code record} with the given reason and detail. */
    public static DroppedEvent of(RoutedRecord record, DropReason reason, String message) {
        return DroppedEvent.newBuilder()
                .setSourceTopic(record.sourceTopic)
                .setPartition(record.partition)
                .setOffset(record.offset)
                .setEventId(record.eventId)
                .setEntityId(record.entityId)
                .setEventTime(Instant.ofEpochMilli(record.eventTime))
                .setReason(reason)
                .setMessage(message)
                .build();
    }
}
