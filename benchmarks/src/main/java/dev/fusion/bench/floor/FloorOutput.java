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
 * What a floor run committed to its output topic, checked against the inputs it had to copy: the
 * events of the workload's first {@code samples} samples, each exactly once (by its event id, the
 * fused record's only source event id; in the workload an event id names one input record).
 *
 * @param records committed output records
 * @param duplicates records whose input an earlier record already accounted for
 * @param missing inputs no record accounts for
 * @param unexpected records that are not of one input of the prefix
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

    /** The counts so far; one bit per input event of the prefix, set once it is seen. */
    private static final class Tally {

        private static final Modality[] MODALITIES = Modality.values();

        private final long samples;
        private final BitSet[] seen = new BitSet[MODALITIES.length];
        private long[] emittedAt = new long[1 << 16];
        private int records;
        private long duplicates;
        private long unexpected;
        private long valueBytes;

        Tally(long samples) {
            this.samples = samples;
            for (int m = 0; m < seen.length; m++) {
                seen[m] = new BitSet();
            }
        }

        void add(FusedEvent e, int bytes) {
            if (records == emittedAt.length) {
                emittedAt = Arrays.copyOf(emittedAt, 2 * records);
            }
            emittedAt[records++] = e.getEmittedAt().toEpochMilli();
            valueBytes += bytes;
            List<String> sources = e.getSourceEventIds();
            for (int m = 0; sources.size() == 1 && m < MODALITIES.length; m++) {
                String prefix = Workload.eventIdPrefix(MODALITIES[m]);
                long sample = sources.get(0).startsWith(prefix)
                        ? sample(sources.get(0).substring(prefix.length())) : -1;
                if (sample >= 0) {
                    if (seen[m].get((int) sample)) {
                        duplicates++;
                    } else {
                        seen[m].set((int) sample);
                    }
                    return;
                }
            }
            unexpected++;
        }

        /** The sample numbered {@code number} if it is in the prefix, else -1. */
        private long sample(String number) {
            try {
                long sample = Long.parseLong(number);
                return sample >= 0 && sample < samples ? sample : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        FloorOutput output() {
            long distinct = Arrays.stream(seen).mapToLong(BitSet::cardinality).sum();
            long[] sorted = Arrays.copyOf(emittedAt, records);
            Arrays.sort(sorted);
            return new FloorOutput(records, duplicates, MODALITIES.length * samples - distinct,
                    unexpected, sorted, valueBytes);
        }
    }
}
