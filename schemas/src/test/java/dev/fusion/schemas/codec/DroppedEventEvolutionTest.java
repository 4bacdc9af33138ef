package dev.fusion.schemas.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.schemas.DropReason;
import dev.fusion.schemas.DroppedEvent;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * DroppedEvent v2 adds the reason DUPLICATE and gives the enum a default, v3 adds OVERFLOW: v1
 * and v2 bytes still read, and a reason added by a later writer reads as UNKNOWN instead of failing.
 */
class DroppedEventEvolutionTest {

    private final Schema v1 = SchemaHistory.historyOf(DroppedEvent.getClassSchema().getFullName())
            .get(0);
    private final Schema v2 = SchemaHistory.historyOf(DroppedEvent.getClassSchema().getFullName())
            .get(1);
    private final Schema v3 = DroppedEvent.getClassSchema();

    @Test
    void historyHoldsBothVersionsWithDistinctFingerprints() {
        assertThat(SchemaHistory.versionsOf("dev.fusion.schemas.DroppedEvent"))
                .containsExactly(v1, v2, v3);
        assertThat(v1.getField("reason").schema().getEnumSymbols())
                .containsExactly("LATE", "FILTERED");
        assertThat(v2.getField("reason").schema().getEnumSymbols())
                .containsExactly("LATE", "FILTERED", "DUPLICATE", "UNKNOWN");
        assertThat(v3.getField("reason").schema().getEnumSymbols())
                .containsExactly("LATE", "FILTERED", "DUPLICATE", "OVERFLOW", "UNKNOWN");
        assertThat(List.of(SingleObjectCodec.fingerprint(v1), SingleObjectCodec.fingerprint(v2),
                SingleObjectCodec.fingerprint(v3))).doesNotHaveDuplicates();
    }

    @Test
    void version1BytesAreReadWithTheCurrentSchema() throws CodecException {
        GenericRecord old = record(v1, "LATE");
        byte[] bytes = SingleObjectCodec.forGeneric(v1, List.of(), DecodeLimits.DEFAULT)
                .encode(old);

        DroppedEvent read = SingleObjectCodec.forSpecific(DroppedEvent.class).decode(bytes);

        assertThat(read).isEqualTo(DroppedEvent.newBuilder(SampleRecords.dropped()).build());
    }

    @Test
    void version2BytesAreReadWithTheCurrentSchema() throws CodecException {
        byte[] bytes = SingleObjectCodec.forGeneric(v2, List.of(), DecodeLimits.DEFAULT)
                .encode(record(v2, "DUPLICATE"));

        DroppedEvent read = SingleObjectCodec.forSpecific(DroppedEvent.class).decode(bytes);

        assertThat(read).isEqualTo(DroppedEvent.newBuilder(SampleRecords.dropped())
                .setReason(DropReason.DUPLICATE).build());
    }

    @Test
    void overflowReadsAsUnknownForAVersion2Reader() throws CodecException {
        DroppedEvent overflow = DroppedEvent.newBuilder(SampleRecords.dropped())
                .setReason(DropReason.OVERFLOW).build();
        byte[] bytes = SingleObjectCodec.forSpecific(DroppedEvent.class).encode(overflow);

        GenericRecord read = SingleObjectCodec.forGeneric(v2, List.of(v3), DecodeLimits.DEFAULT)
                .decode(bytes);

        assertThat(read.get("reason")).hasToString("UNKNOWN");
    }

    @Test
    void duplicateRoundTrips() throws CodecException {
        DroppedEvent duplicate = DroppedEvent.newBuilder(SampleRecords.dropped())
                .setReason(DropReason.DUPLICATE).build();
        SingleObjectCodec<DroppedEvent> codec = SingleObjectCodec.forSpecific(DroppedEvent.class);

        assertThat(codec.decode(codec.encode(duplicate))).isEqualTo(duplicate);
    }

    @Test
    void aReasonAddedByALaterWriterReadsAsUnknown() throws CodecException {
        Schema later = withExtraReason(v3, "EXPIRED");
        byte[] bytes = SingleObjectCodec.forGeneric(later, List.of(), DecodeLimits.DEFAULT)
                .encode(record(later, "EXPIRED"));

        GenericRecord read = SingleObjectCodec.forGeneric(v3, List.of(later), DecodeLimits.DEFAULT)
                .decode(bytes);

        assertThat(read.get("reason")).hasToString("UNKNOWN");
        assertThat(read.get("event_id")).hasToString("i-7");
    }

    /** The sample dropped event as a generic record of {@code schema}, with {@code reason}. */
    private static GenericRecord record(Schema schema, String reason) {
        DroppedEvent sample = SampleRecords.dropped();
        GenericRecord r = new GenericData.Record(schema);
        r.put("source_topic", sample.getSourceTopic());
        r.put("partition", sample.getPartition());
        r.put("offset", sample.getOffset());
        r.put("event_id", sample.getEventId());
        r.put("entity_id", sample.getEntityId());
        r.put("event_time", sample.getEventTime().toEpochMilli());
        r.put("reason", new GenericData.EnumSymbol(schema.getField("reason").schema(), reason));
        r.put("message", sample.getMessage());
        return r;
    }

    /** {@code schema} with one more reason symbol, as a later version might add. */
    private static Schema withExtraReason(Schema schema, String symbol) {
        String symbols = "\"symbols\":[\"LATE\",\"FILTERED\",\"DUPLICATE\",\"OVERFLOW\",\"UNKNOWN\"]";
        String json = schema.toString();
        assertThat(json).contains(symbols);
        return new Schema.Parser().parse(json.replace(symbols,
                symbols.replace("]", ",\"" + symbol + "\"]")));
    }
}
