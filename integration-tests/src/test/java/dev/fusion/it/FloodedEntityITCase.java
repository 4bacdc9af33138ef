package dev.fusion.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.kafka.FusedRecordBudget;
import dev.fusion.models.manifest.ModelManifest;
import dev.fusion.operators.align.WindowAlignFunction;
import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.schemas.DropReason;
import dev.fusion.schemas.DroppedEvent;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One entity floods a window with more records than one fused record can name within the fused
 * sink's {@code max.request.size} (here 64 KiB, so that a few thousand do): the window fuses the
 * records that fit, the rest are dropped OVERFLOW, the job finishes without failing (a fused record
 * the producer refused would fail it on every restart), and every event id is accounted for once.
 */
class FloodedEntityITCase extends KafkaJobTestBase {

    private static final int MAX_REQUEST_BYTES = 64 << 10;
    private static final int FLOOD = 8_000;

    @Test
    // Without the budget the fused sink refuses the record, and the job restarts without end.
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aFloodedWindowFusesWhatFitsAndDropsTheRestAsOverflow() throws Exception {
        FusionConfig config = config(Map.of(
                "kafka.properties.max.request.size", String.valueOf(MAX_REQUEST_BYTES)));
        Scenario scenario = Scenario.generate(4, 2, 23L);
        List<ModalityRecord> flood = new ArrayList<>();
        for (int i = 0; i < FLOOD; i++) {
            flood.add(ModalityRecord.text(0, String.format("hot-t-%05d", i), "hot", scenario.base + 500,
                    "flooding text " + i, null, 0, 0));
        }
        List<ModalityRecord> all = new ArrayList<>(scenario.records);
        all.addAll(flood);
        produce(all);

        runBounded(config);

        int budget = FusedRecordBudget.sourceIdBytes(config, ModelManifest.loadBundled());
        int fits = 0;
        for (int used = 0; fits < FLOOD; fits++) {
            used += WindowAlignFunction.sourceIdBytes(flood.get(fits).eventId);
            if (used > budget) {
                break;
            }
        }
        Outputs out = readOutputs();
        List<FusedEvent> hot = out.fused().stream().filter(f -> f.getEntityId().equals("hot")).toList();
        assertThat(hot).hasSize(1);
        assertThat(hot.get(0).getSourceEventIds()).hasSize(fits)
                .containsExactlyElementsOf(flood.subList(0, fits).stream().map(r -> r.eventId).toList());
        int bytes = SingleObjectCodec.forSpecific(FusedEvent.class).encode(hot.get(0)).length;
        assertThat(bytes + "hot".length()).as("encoded fused record and key")
                .isLessThanOrEqualTo(MAX_REQUEST_BYTES).isGreaterThan(MAX_REQUEST_BYTES / 2);
        assertThat(out.dropped()).extracting(DroppedEvent::getEventId)
                .containsExactlyInAnyOrderElementsOf(flood.subList(fits, FLOOD).stream()
                        .map(r -> r.eventId).toList());
        assertThat(out.dropped()).extracting(DroppedEvent::getReason).containsOnly(DropReason.OVERFLOW);
        List<String> ids = new ArrayList<>(scenario.eventIds());
        flood.forEach(r -> ids.add(r.eventId));
        Accounting.assertExact(ids, out.fused(), out.deadLetters(), out.dropped());
    }
}
