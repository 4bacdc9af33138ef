package dev.fusion.operators.decode;

import dev.fusion.operators.metrics.StreamMetrics;
import dev.fusion.operators.outputs.SideOutputs;
import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.operators.records.RawRecord;
import dev.fusion.schemas.DeadLetterReason;
import dev.fusion.schemas.codec.CodecException;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes and validates one modality's raw Kafka records: valid ones go on as
 * {@link ModalityRecord}s, everything else becomes a dead letter on {@link SideOutputs#DEAD_LETTERS}.
 * Nothing in the data can make it throw.
 */
public class DecodeFunction extends ProcessFunction<RawRecord, ModalityRecord> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DecodeFunction.class);

    private final ModalityDecoder decoder;
    private final DeadLetters letters;
    private final Clock clock;
    private transient Map<DeadLetterReason, Counter> deadLetters;
    private transient Counter recordsIn;

    public DecodeFunction(ModalityDecoder decoder, DeadLetters letters, Clock clock) {
        this.decoder = decoder;
        this.letters = letters;
        this.clock = clock;
    }

    @Override
    public void open(OpenContext openContext) {
        MetricGroup group = StreamMetrics.of(getRuntimeContext().getMetricGroup(),
                decoder.modality());
        recordsIn = group.counter(StreamMetrics.RECORDS_IN);
        group.meter(StreamMetrics.RECORDS_IN_PER_SECOND, new MeterView(recordsIn));
        deadLetters = new EnumMap<>(DeadLetterReason.class);
        deadLetters.put(DeadLetterReason.MALFORMED,
                group.counter(StreamMetrics.DEAD_LETTERS_MALFORMED));
        deadLetters.put(DeadLetterReason.UNKNOWN_SCHEMA,
                group.counter(StreamMetrics.DEAD_LETTERS_UNKNOWN_SCHEMA));
        deadLetters.put(DeadLetterReason.INVALID, group.counter(StreamMetrics.DEAD_LETTERS_INVALID));
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<ModalityRecord> out) {
        if (recordsIn != null) {
            recordsIn.inc();
        }
        ModalityRecord record;
        try {
            // Usually decoded already, by the source's timestamp assigner (EventTimeAssigner).
            record = decoder.decodeOnce(raw);
        } catch (CodecException e) {
            reject(raw, e.deadLetterReason(), e.getMessage(), null, ctx);
            return;
        } catch (InvalidRecordException e) {
            reject(raw, DeadLetterReason.INVALID, e.getMessage(), e.eventId(), ctx);
            return;
        } catch (RuntimeException e) {
            // A bug of ours, not the producer's fault; the record still must not stop the job.
            LOG.error("unexpected failure decoding {}", raw.coordinates(), e);
            reject(raw, DeadLetterReason.MALFORMED, "unexpected " + e.getClass().getSimpleName()
                    + " while decoding: " + e.getMessage(), null, ctx);
            return;
        }
        out.collect(record);
    }

    private void reject(RawRecord raw, DeadLetterReason reason, String message, String eventId,
            Context ctx) {
        LOG.debug("dead letter {} from {}: {}", reason, raw.coordinates(), message);
        if (deadLetters != null) {
            deadLetters.get(reason).inc();
        }
        ctx.output(SideOutputs.DEAD_LETTERS, letters.of(raw, reason, message, eventId, clock.millis()));
    }
}
