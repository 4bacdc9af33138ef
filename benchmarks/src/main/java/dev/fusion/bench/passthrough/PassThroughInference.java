package dev.fusion.bench.passthrough;

import dev.fusion.jobs.InferenceFactory;
import dev.fusion.operators.batch.BatchFunction;
import dev.fusion.operators.records.FusionRequest;
import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.operators.records.RoutedRecord;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.models.manifest.Modality;

/**
 * Inference replaced by a pass-through of equal output size: routing gives an embedding of
 * dimension D and a gate per record, integration a fused record with D fused values, K scores and
 * three weights, all from a few arithmetic operations per value. The job around them (Kafka, Avro,
 * decode, key, align, micro-batching, encode, exactly-once sinks) is unchanged, so the job's
 * throughput with it is the I/O ceiling.
 */
public final class PassThroughInference implements InferenceFactory {

    @Override
    public BatchFunction<ModalityRecord, RoutedRecord> routing(Modality modality, Setup setup) {
        return new PassThroughRouting(setup.manifest().embeddingDim());
    }

    @Override
    public BatchFunction<FusionRequest, FusedEvent> integration(Setup setup) {
        return new PassThroughIntegration(setup.manifest().numClasses(), setup.clock());
    }
}
