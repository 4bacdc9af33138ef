package dev.fusion.operators.align;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The event ids {@link SeenEventIds} remembers, grouped by entity and cleanup time, so that a
 * cleanup timer removes exactly its own ids instead of scanning every id of the entity. Held on
 * the heap beside the keyed state it indexes, never checkpointed: the operator rebuilds it from
 * the state when it opens.
 */
final class SeenIdsByExpiry {

    private final Map<String, Map<Long, List<String>>> byEntity = new HashMap<>();

    /**
     * Adds {@code eventId} of {@code entity} with its cleanup time; true if it is the first id of
     * that entity and time, whose cleanup timer is then still to be registered.
     */
    boolean add(String entity, long expiry, String eventId) {
        Map<Long, List<String>> byExpiry = byEntity.computeIfAbsent(entity, e -> new HashMap<>());
        List<String> ids = byExpiry.get(expiry);
        if (ids != null) {
            ids.add(eventId);
            return false;
        }
        ids = new ArrayList<>(4);
        ids.add(eventId);
        byExpiry.put(expiry, ids);
        return true;
    }

    /** Removes and returns the ids of {@code entity} whose cleanup time is {@code expiry}. */
    List<String> remove(String entity, long expiry) {
        Map<Long, List<String>> byExpiry = byEntity.get(entity);
        if (byExpiry == null) {
            return List.of();
        }
        List<String> ids = byExpiry.remove(expiry);
        if (byExpiry.isEmpty()) {
            byEntity.remove(entity);
        }
        return ids == null ? List.of() : ids;
    }

    /** The number of entities with ids indexed. */
    int entities() {
        return byEntity.size();
    }
}
