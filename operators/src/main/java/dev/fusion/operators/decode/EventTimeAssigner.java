package dev.fusion.operators.decode;

import dev.fusion.operators.records.RawRecord;
import dev.fusion.schemas.AudioFeatureEvent;
import dev.fusion.schemas.ImageFeatureEvent;
import dev.fusion.schemas.Modality;
import dev.fusion.schemas.TextEvent;
import dev.fusion.schemas.codec.CodecException;
import dev.fusion.schemas.codec.DecodeLimits;
import dev.fusion.schemas.codec.SchemaHistory;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.time.Clock;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;

/**
 * Reads a raw record's {@code event_time} for the source's per-partition watermarks, by decoding
 * only that field (the other fields are skipped, not materialized).
 *
 * <p>A record that cannot be decoded or whose time is outside the accepted range gets
 * {@link Long#MIN_VALUE}, so it never moves a watermark; it becomes a dead letter downstream.
 */
public final class EventTimeAssigner implements SerializableTimestampAssigner<RawRecord> {

    private static final long serialVersionUID = 1L;

    private final Modality modality;
    private final ValidationOptions options;
    private final Clock clock;
    private transient SingleObjectCodec<GenericRecord> projection;

    public EventTimeAssigner(Modality modality, ValidationOptions options, Clock clock) {
        this.modality = modality;
        this.options = options;
        this.clock = clock;
    }

    @Override
    public long extractTimestamp(RawRecord record, long kafkaTimestamp) {
        try {
            Object value = projection().decode(record.value).get("event_time");
            long eventTime = (Long) value;
            return options.eventTimeInRange(eventTime, clock.millis()) ? eventTime : Long.MIN_VALUE;
        } catch (CodecException e) {
            return Long.MIN_VALUE;
        }
    }

    private SingleObjectCodec<GenericRecord> projection() {
        if (projection == null) {
            Schema full = switch (modality) {
                case TEXT -> TextEvent.getClassSchema();
                case AUDIO -> AudioFeatureEvent.getClassSchema();
                case IMAGE -> ImageFeatureEvent.getClassSchema();
            };
            Schema onlyTime = SchemaBuilder.record(full.getName()).namespace(full.getNamespace())
                    .fields().requiredLong("event_time").endRecord();
            List<Schema> writers = SchemaHistory.versionsOf(full.getFullName());
            projection = SingleObjectCodec.forGeneric(onlyTime, writers, DecodeLimits.DEFAULT);
        }
        return projection;
    }
}
