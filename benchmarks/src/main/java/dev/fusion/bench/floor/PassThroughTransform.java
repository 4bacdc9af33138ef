package dev.fusion.bench.floor;

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
 * and validation ({@link FusionJob#decoder}), the pass-through routing, and the pass-through
 * integration of a fusion of that one record, so one input gives one {@link FusedEvent}.
 *
 * <p>The output is the record the job's integration would write for a fusion whose only present
 * modality is this record's (latest-policy shape: the record triggers it): 64 fused values, 8
 * scores and 3 weights as in the job's records, but one source event id, one modality and one
 * present stream where a window fusion of a sample has three, so it is about 5 % smaller (413
 * against 435 bytes for the bench's workload); {@link FloorResult#outputBytesPerRecord} reports
 * its size. Per fused equivalent (three inputs) the floor thus encodes and writes three fused
 * records where the job writes one. Its source event id is the
 * input's, which is how the exactness check finds every input in the output.
 *
 * <p>Not thread-safe: one per copying thread.
 */
final class PassThroughTransform {

    private final Modality stream;
    private final ModalityDecoder decoder;
    private final BatchFunction<ModalityRecord, RoutedRecord> routing;
    private final BatchFunction<FusionRequest, FusedEvent> integration;
    private final int modalities;
    private final int dim;

    PassThroughTransform(FusionJob job, InferenceFactory inference, InferenceFactory.Setup setup,
            Modality stream) {
        this.stream = stream;
        this.decoder = job.decoder(stream);
        this.routing = inference.routing(stream, setup);
        this.integration = inference.integration(setup);
        this.modalities = job.manifest().modalities().size();
        this.dim = job.manifest().embeddingDim();
    }

    /**
     * The fused records of {@code records}, one each, in order.
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
        List<FusionRequest> requests = new ArrayList<>(decoded.size());
        for (RoutedRecord routed : routing.apply(decoded)) {
            FusionRequest request = FusionRequest.empty(routed.entityId, routed.eventTime,
                    AlignmentPolicy.LATEST, modalities, dim);
            request.put(routed.slot, routed.embedding, routed.gateLogit);
            request.setSources(List.of(routed));
            request.triggerEventId = routed.eventId;
            requests.add(request);
        }
        return integration.apply(requests);
    }
}
