package dev.fusion.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.schemas.AlignmentPolicy;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DropReason;
import dev.fusion.schemas.DroppedEvent;
import dev.fusion.schemas.FusedEvent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The contract's main invariant: every input event is accounted for exactly once in the committed
 * output, by a fusion (window: among its sources; latest: as its trigger), a dead letter or a
 * dropped event. No duplicate, nothing missing, nothing extra.
 */
final class Accounting {

    private Accounting() {
    }

    static void assertExact(Collection<String> inputIds, List<FusedEvent> fused, List<DeadLetter> deadLetters,
            List<DroppedEvent> dropped) {
        List<String> accounted = new ArrayList<>();
        for (FusedEvent e : fused) {
            if (e.getAlignment() == AlignmentPolicy.LATEST) {
                accounted.add(e.getTriggerEventId());
            } else {
                accounted.addAll(e.getSourceEventIds());
            }
        }
        deadLetters.forEach(d -> accounted.add(d.getEventId()));
        dropped.forEach(d -> accounted.add(d.getEventId()));

        Map<String, Integer> counts = new HashMap<>();
        accounted.forEach(id -> counts.merge(id, 1, Integer::sum));
        Set<String> duplicates = new TreeSet<>();
        counts.forEach((id, n) -> {
            if (n > 1) {
                duplicates.add(id + " x" + n);
            }
        });
        Set<String> expected = new TreeSet<>(inputIds);
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(counts.keySet());
        Set<String> extra = new TreeSet<>(counts.keySet());
        extra.removeAll(expected);

        assertThat(duplicates).as("input events accounted for more than once").isEmpty();
        assertThat(missing).as("input events accounted for nowhere").isEmpty();
        assertThat(extra).as("accounted events that were never input").isEmpty();
        assertThat(accounted).hasSize(expected.size());
    }

    /**
     * As {@link #assertExact}, for input in which some event ids were sent more than once:
     * {@code sent} holds one entry per copy sent. Every distinct id must be accounted for exactly
     * once by a fusion, a dead letter or a drop other than DUPLICATE, and every further copy by
     * exactly one DUPLICATE drop of its id.
     */
    static void assertExactWithCopies(Collection<String> sent, List<FusedEvent> fused,
            List<DeadLetter> deadLetters, List<DroppedEvent> dropped) {
        List<DroppedEvent> notDuplicates = new ArrayList<>();
        Map<String, Integer> duplicateDrops = new TreeMap<>();
        for (DroppedEvent d : dropped) {
            if (d.getReason() == DropReason.DUPLICATE) {
                duplicateDrops.merge(d.getEventId(), 1, Integer::sum);
            } else {
                notDuplicates.add(d);
            }
        }
        Map<String, Integer> furtherCopies = new TreeMap<>();
        sent.forEach(id -> furtherCopies.merge(id, 1, Integer::sum));
        furtherCopies.replaceAll((id, n) -> n - 1);
        furtherCopies.values().removeIf(n -> n == 0);

        assertThat(duplicateDrops).as("DUPLICATE drops per event id (one per further copy)")
                .isEqualTo(furtherCopies);
        assertExact(new TreeSet<>(sent), fused, deadLetters, notDuplicates);
    }
}
