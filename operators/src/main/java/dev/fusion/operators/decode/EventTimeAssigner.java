package dev.fusion.operators.decode;

import dev.fusion.operators.records.RawRecord;
import dev.fusion.schemas.codec.CodecException;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;

/**
 * Reads a raw record's {@code event_time} for the source's per-partition watermarks.
 *
 * <p>It decodes and validates the whole record, exactly as {@link DecodeFunction} will, and
 * leaves the outcome on the record ({@link ModalityDecoder#decodeOnce}), so the chained decode
 * operator does not decode it again. A record that will become a dead letter (bytes that do not
 * decode, a time outside the accepted range, any other broken contract) gets
 * {@link Long#MIN_VALUE}, so it never moves a watermark.
 */
public final class EventTimeAssigner implements SerializableTimestampAssigner<RawRecord> {

    private static final long serialVersionUID = 2L;

    private final ModalityDecoder decoder;

    /** Reads event times with (a copy of) the stream's decoder. */
    public EventTimeAssigner(ModalityDecoder decoder) {
        this.decoder = decoder;
    }

    @Override
    public long extractTimestamp(RawRecord record, long kafkaTimestamp) {
        try {
            return decoder.decodeOnce(record).eventTime;
        } catch (CodecException | InvalidRecordException | RuntimeException e) {
            return Long.MIN_VALUE;
        }
    }
}
