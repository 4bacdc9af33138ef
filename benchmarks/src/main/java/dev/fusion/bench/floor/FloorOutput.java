package dev.fusion.bench.floor;

import dev.fusion.bench.pipeline.OutputReader;
import dev.fusion.bench.pipeline.Workload;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.Modality;
import dev.fusion.schemas.codec.CodecException;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * What a floor run committed to its output topic, checked against the samples it had to fuse:
 * the workload's first {@code samples} samples, each exactly once (a fused record names its
 * sample's three event ids, {@code t-7}, {@code a-7}, {@code i-7}, as its source event ids).
 *
 * @param records committed output records
 * @param duplicates records of a sample an earlier record already accounted for
 * @param missing samples no record accounts for
 * @param unexpected records that are not of one sample of the prefix
 * @param emittedAt every record's {@code emitted_at}, sorted
 * @param valueBytes the records' values, summed
 */
record FloorOutput(long records, long duplicates, long missing, long unexpected,
        long[] emittedAt, long valueBytes) {

    /** Reads {@code topic} with {@code read_committed} and checks it against the prefix. */
    static FloorOutput read(String bootstrap, String topic, long samples) {
        Tally tally = new Tally(samples);
        SingleObjectCodec<FusedEvent> codec = SingleObjectCodec.forSpecific(FusedEvent.class);
        OutputReader.each(bootstrap, topic, r -> {
            try {
                tally.add(codec.decode(r.value()), r.value().length);
            } catch (CodecException e) {
                throw new IllegalStateException(topic + "/" + r.partition() + "@" + r.offset()
                        + " is not a FusedEvent: " + e.getMessage(), e);
            }
        });
        return tally.output();
    }

    /** The counts so far; one bit per sample of the prefix, set once it is seen. */
    private static final class Tally {

        private static final Modality[] MODALITIES = Modality.values();

        private final long samples;
        private final BitSet seen = new BitSet();
        private long[] emittedAt = new long[1 << 16];
        private int records;
        private long duplicates;
        private long unexpected;
        private long valueBytes;

        Tally(long samples) {
            this.samples = samples;
        }

        void add(FusedEvent e, int bytes) {
            if (records == emittedAt.length) {
                emittedAt = Arrays.copyOf(emittedAt, 2 * records);
            }
            emittedAt[records++] = e.getEmittedAt().toEpochMilli();
            valueBytes += bytes;
            long sample = sample(e.getSourceEventIds());
            if (sample < 0) {
                unexpected++;
            } else if (seen.get((int) sample)) {
                duplicates++;
            } else {
                seen.set((int) sample);
            }
        }

        /** The sample whose three event ids {@code sources} are, if it is in the prefix; else -1. */
        private long sample(List<String> sources) {
            if (sources.size() != MODALITIES.length) {
                return -1;
            }
            String first = sources.get(0);
            String prefix = Workload.eventIdPrefix(MODALITIES[0]);
            if (!first.startsWith(prefix)) {
                return -1;
            }
            long sample;
            try {
                sample = Long.parseLong(first.substring(prefix.length()));
            } catch (NumberFormatException e) {
                return -1;
            }
            for (int m = 0; m < MODALITIES.length; m++) {
                if (!sources.get(m).equals(Workload.eventId(MODALITIES[m], sample))) {
                    return -1;
                }
            }
            return sample >= 0 && sample < samples ? sample : -1;
        }

        FloorOutput output() {
            long[] sorted = Arrays.copyOf(emittedAt, records);
            Arrays.sort(sorted);
            return new FloorOutput(records, duplicates, samples - seen.cardinality(), unexpected,
                    sorted, valueBytes);
        }
    }
}
