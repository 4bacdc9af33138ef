package dev.fusion.operators.align;

import dev.fusion.operators.records.RoutedRecord;
import java.util.List;
import java.util.Map;
import java.util.function.LongUnaryOperator;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.Triggerable;

/**
 * The event ids alignment has seen, per entity (the current key), each remembered until the
 * watermark passes its event time plus {@code align.duplicate-horizon}, so that a later copy is
 * recognised as a duplicate.
 *
 * <p>The horizon is event time, so that a replay or a restore after a long outage decides
 * exactly as the first run did. An id is never forgotten before a record of its event time is
 * late ({@link AlignFunction#lateAt}): a copy that comes after its id was forgotten is LATE,
 * never fused a second time. Cleanup times are rounded up to a sixteenth of the horizon, so an
 * entity has at most about 17 cleanup timers however many ids it sends.
 *
 * <p>A cleanup timer removes only the ids due at its time, found in {@link SeenIdsByExpiry}, a
 * heap index that {@link #rebuild} makes from the state when the operator opens; before it, each
 * timer scanned all ids of its entity, about 17 visits per id over its life (docs/PERFORMANCE.md).
 * The rebuild also registers each restored id's timer at its cleanup time under the current
 * horizon, so a restore with another horizon cleans up by the new one.
 */
final class SeenEventIds implements Triggerable<String, VoidNamespace> {

    /** Event id to the event time of its first copy, per entity. */
    static MapStateDescriptor<String, Long> descriptor() {
        return new MapStateDescriptor<>("align-seen-event-ids", Types.STRING, Types.LONG);
    }

    static final String TIMERS = "align-seen-event-ids";

    private final long horizonMillis;
    private final long granularityMillis;
    private final LongUnaryOperator lateAt;
    private final MapState<String, Long> seen;
    private final SeenIdsByExpiry byExpiry = new SeenIdsByExpiry();
    private InternalTimerService<VoidNamespace> timers;

    /**
     * @param horizonMillis how long ids are remembered; 0 remembers each only until its record
     *     would be late
     * @param lateAt the policy's {@link AlignFunction#lateAt}
     * @param seen the keyed state of {@link #descriptor()}
     */
    SeenEventIds(long horizonMillis, LongUnaryOperator lateAt, MapState<String, Long> seen) {
        this.horizonMillis = horizonMillis;
        this.granularityMillis = EventTime.cleanupStep(horizonMillis);
        this.lateAt = lateAt;
        this.seen = seen;
    }

    /** The timer service this object is the target of, once the operator made it. */
    void useTimers(InternalTimerService<VoidNamespace> service) {
        this.timers = service;
    }

    /**
     * The event time of an earlier copy of {@code record}'s id for the current entity, or null
     * if there is none; then the id is remembered, unless event time {@code now} is already past
     * its horizon.
     */
    Long firstCopy(RoutedRecord record, long now) throws Exception {
        Long first = seen.get(record.eventId);
        if (first != null) {
            return first;
        }
        long expiry = expiry(record.eventTime);
        if (expiry > now) {
            seen.put(record.eventId, record.eventTime);
            remember(record.entityId, expiry, record.eventId);
        }
        return null;
    }

    /**
     * Indexes the ids of every entity in {@code backend}'s state and registers their cleanup
     * timers; called once, when the operator opens, with the state it restored (if any).
     */
    void rebuild(KeyedStateBackend<String> backend) throws Exception {
        List<String> entities;
        try (Stream<String> keys = backend.getKeys(descriptor().getName(),
                VoidNamespace.INSTANCE)) {
            entities = keys.toList();
        }
        for (String entity : entities) {
            backend.setCurrentKey(entity);
            for (Map.Entry<String, Long> e : seen.entries()) {
                remember(entity, expiry(e.getValue()), e.getKey());
            }
        }
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        long now = timer.getTimestamp();
        for (String eventId : byExpiry.remove(timer.getKey(), now)) {
            seen.remove(eventId);
        }
        // Removing the last entry may leave an empty map behind as an entry of its own.
        if (seen.isEmpty()) {
            seen.clear();
        }
    }

    /** The number of entities whose ids are indexed for cleanup. */
    int indexedEntities() {
        return byExpiry.entities();
    }

    private void remember(String entity, long expiry, String eventId) {
        if (byExpiry.add(entity, expiry, eventId)) {
            timers.registerEventTimeTimer(VoidNamespace.INSTANCE, expiry);
        }
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) {
        // No processing-time timers are registered: the horizon is event time.
    }

    private long expiry(long eventTime) {
        long until = Math.max(EventTime.plus(eventTime, horizonMillis),
                lateAt.applyAsLong(eventTime));
        return EventTime.roundUp(until, granularityMillis);
    }
}
