package dev.fusion.bench.floor;

import dev.fusion.bench.pipeline.Workload;
import dev.fusion.jobs.FusionJob;
import dev.fusion.jobs.InferenceFactory;
import dev.fusion.models.manifest.Modality;
import dev.fusion.operators.batch.BatchFunction;
import dev.fusion.operators.decode.InvalidRecordException;
import dev.fusion.operators.decode.ModalityDecoder;
import dev.fusion.operators.records.FusionRequest;
import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.operators.records.RawRecord;
import dev.fusion.operators.records.RoutedRecord;
import dev.fusion.schemas.AlignmentPolicy;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.codec.CodecException;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What the pass-through job does to one stream's records, without Flink: the job's own decoder
 * and validation ({@link FusionJob#decoder}) and the pass-through routing of every record; and,
 * for the stream that emits, the pass-through integration of one fusion per record.
 *
 * <p>The job makes one fused record of a sample's three records; the floor cannot align across
 * its threads (that is the job's work it leaves out), so one stream's records stand for their
 * samples: each of them gives a fused record with every stream present (its own embedding in
 * every slot) and the sample's three event ids as sources, the shape and size of the job's
 * window fusion of that sample. The other streams' records are decoded, validated and routed,
 * and their offsets committed, with no output of their own. Per sample the floor thus reads,
 * decodes and routes three records and encodes and writes one fused record, as the job does.
 *
 * <p>Not thread-safe: one per copying thread.
 */
final class PassThroughTransform {

    private final Modality stream;
    private final boolean emits;
    private final ModalityDecoder decoder;
    private final BatchFunction<ModalityRecord, RoutedRecord> routing;
    private final BatchFunction<FusionRequest, FusedEvent> integration;
    private final int modalities;
    private final int dim;

    /** @param emits whether this stream's records stand for their samples in the output */
    PassThroughTransform(FusionJob job, InferenceFactory inference, InferenceFactory.Setup setup,
            Modality stream, boolean emits) {
        this.stream = stream;
        this.emits = emits;
        this.decoder = job.decoder(stream);
        this.routing = inference.routing(stream, setup);
        this.integration = inference.integration(setup);
        this.modalities = job.manifest().modalities().size();
        this.dim = job.manifest().embeddingDim();
    }

    /**
     * The fused records of {@code records}, one each, in order, if this stream emits; else none.
     *
     * @throws IllegalStateException for a record the job would send to its dead-letter topic: the
     *     floor has none, and the workload holds no such record
     */
    List<FusedEvent> apply(List<ConsumerRecord<byte[], byte[]>> records) throws Exception {
        List<ModalityRecord> decoded = new ArrayList<>(records.size());
        for (ConsumerRecord<byte[], byte[]> r : records) {
            RawRecord raw = new RawRecord(r.topic(), r.partition(), r.offset(), r.timestamp(),
                    r.key(), r.value());
            try {
                decoded.add(decoder.decode(raw));
            } catch (CodecException | InvalidRecordException e) {
                throw new IllegalStateException(raw.coordinates() + " is not a valid " + stream
                        + " record: " + e.getMessage(), e);
            }
        }
        List<RoutedRecord> routed = routing.apply(decoded);
        if (!emits) {
            return List.of();
        }
        List<FusionRequest> requests = new ArrayList<>(routed.size());
        for (RoutedRecord r : routed) {
            long windowStart = r.eventTime - Math.floorMod(r.eventTime, WINDOW_MILLIS);
            FusionRequest request = FusionRequest.empty(r.entityId,
                    windowStart + WINDOW_MILLIS - 1, AlignmentPolicy.WINDOW, modalities, dim);
            request.windowStart = windowStart;
            List<RoutedRecord> sources = new ArrayList<>(modalities);
            for (int slot = 0; slot < modalities; slot++) {
                request.put(slot, r.embedding, r.gateLogit);
                sources.add(r);
            }
            request.setSources(sources);
            request.sourceEventIds = sampleEventIds(r.eventId);
            requests.add(request);
        }
        return integration.apply(requests);
    }

    /** The bench's windows, as the workload writes them. */
    private static final long WINDOW_MILLIS = 1000;

    /** The event ids of the sample whose record of this stream has {@code eventId}. */
    private String[] sampleEventIds(String eventId) {
        long sample = Long.parseLong(eventId.substring(eventId.indexOf('-') + 1));
        dev.fusion.schemas.Modality[] all = dev.fusion.schemas.Modality.values();
        String[] ids = new String[all.length];
        for (int m = 0; m < all.length; m++) {
            ids[m] = Workload.eventId(all[m], sample);
        }
        return ids;
    }
}
