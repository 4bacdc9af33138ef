package dev.fusion.operators.records;

import java.util.Arrays;
import java.util.Objects;

/** A Kafka record as it came off the wire, with its coordinates, before any decoding. */
public class RawRecord {

    public String topic;
    public int partition;
    public long offset;
    /** Kafka record timestamp (ms); not the event time, which is in the value. */
    public long kafkaTimestamp;
    public byte[] key;
    public byte[] value;
    /**
     * What decoding this record gave, once it has been decoded: the record, or (in
     * {@link #decodeFailure}) why it is not one. Transient: the timestamp assigner decodes each
     * record for its event time, and this hands the result to the chained decode operator so that
     * nothing is decoded twice; a record that crosses the network is simply decoded again.
     */
    public transient ModalityRecord decoded;
    /** The exception decoding gave, when it failed; see {@link #decoded}. */
    public transient Exception decodeFailure;

    public RawRecord() {
    }

    public RawRecord(String topic, int partition, long offset, long kafkaTimestamp, byte[] key,
            byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.kafkaTimestamp = kafkaTimestamp;
        this.key = key;
        this.value = value;
    }

    /** "topic/partition@offset", the way logs and dead letters name a record. */
    public String coordinates() {
        return topic + "/" + partition + "@" + offset;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RawRecord r)) {
            return false;
        }
        return partition == r.partition && offset == r.offset && kafkaTimestamp == r.kafkaTimestamp
                && Objects.equals(topic, r.topic) && Arrays.equals(key, r.key)
                && Arrays.equals(value, r.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset);
    }

    @Override
    public String toString() {
        return "RawRecord{" + coordinates() + ", " + (value == null ? "null" : value.length + " bytes") + "}";
    }
}
