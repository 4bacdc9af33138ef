package dev.fusion.jobs.kafka;

import dev.fusion.jobs.config.ConfigException;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import dev.fusion.models.manifest.ModelManifest;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * How many bytes the event ids of one window may take in its fused record, so that the record
 * always fits the fused sink's {@code max.request.size}: the limit less an upper bound of
 * everything else the record holds (entity id as key and value, trigger id, the fused vector,
 * scores and weights, the streams' names, the record batch's framing). Window alignment drops what would pass it as
 * OVERFLOW, instead of writing a record the producer refuses, which would fail the job on every
 * restart.
 */
public final class FusedRecordBudget {

    /** Enums, timestamps, the model version, Avro and single-object framing, with room to spare. */
    static final int FIXED_FIELDS_BYTES = 1024;
    /**
     * What one stream adds besides its weight, at most: its name (at most 32 ASCII characters and
     * a length) in {@code stream_names} and in {@code present_streams}, and its entry in the
     * version 1 {@code modalities}.
     */
    static final int STREAM_BYTES = 2 * (32 + 1) + 1;

    private FusedRecordBudget() {
    }

    /** The budget for {@code config}'s fused sink and the models of {@code manifest}. */
    public static int sourceIdBytes(FusionConfig config, ModelManifest manifest) {
        return sourceIdBytes(KafkaIo.maxRequestBytes(config), config.get(FusionOptions.MAX_ID_CHARS),
                manifest.embeddingDim(), manifest.numClasses(), manifest.modalities().size());
    }

    static int sourceIdBytes(int maxRequestBytes, int maxIdChars, int embeddingDim, int numClasses,
            int streams) {
        // An id of maxIdChars UTF-16 chars takes at most 3 bytes each in UTF-8, plus its length.
        long id = 3L * maxIdChars + 5;
        long fixed = 3 * id + 4L * (embeddingDim + numClasses + streams)
                + (long) STREAM_BYTES * streams + FIXED_FIELDS_BYTES + KafkaIo.RECORD_FRAMING_BYTES;
        long budget = maxRequestBytes - fixed;
        if (budget < id) {
            throw new ConfigException(KafkaClientProperties.PREFIX
                    + ProducerConfig.MAX_REQUEST_SIZE_CONFIG + "=" + maxRequestBytes + " cannot hold"
                    + " a fused record with even one event id of " + FusionOptions.MAX_ID_CHARS.key()
                    + "=" + maxIdChars + " characters (" + (fixed + id) + " bytes at most)");
        }
        return (int) Math.min(Integer.MAX_VALUE, budget);
    }
}
