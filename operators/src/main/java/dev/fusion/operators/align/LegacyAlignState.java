package dev.fusion.operators.align;

import dev.fusion.models.manifest.Modality;
import dev.fusion.operators.records.RoutedRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves alignment state written before streams were configurable (state format 1: records named
 * their stream by the enum {@code dev.fusion.schemas.Modality}, the latest policy's history was
 * keyed by it) into today's format (a stream is its slot in the manifest's modalities), once, when
 * the operator restores such state, so that an upgrade from a savepoint loses nothing.
 *
 * <p>Flink's POJO serializer reads the old records (the added {@code slot} field starts at 0, the
 * old {@code modality} field keeps its value); this rewrites every record in every keyed state of
 * the operator, by the stream's name, and fails naming the stream when the job no longer reads it.
 */
final class LegacyAlignState {

    /** The state format this version writes; operator state, absent in format 1. */
    static final int FORMAT = 2;

    private static final Logger LOG = LoggerFactory.getLogger(LegacyAlignState.class);
    /** The latest policy's history as format 1 kept it: keyed by the legacy enum. */
    static final MapStateDescriptor<dev.fusion.schemas.Modality, RoutedRecord[]> LEGACY_HISTORY =
            new MapStateDescriptor<>("align-latest-history", AlignStateTypes.LEGACY_MODALITY,
                    AlignStateTypes.RECORDS);

    private final KeyedStateBackend<String> backend;
    private final List<Modality> modalities;

    LegacyAlignState(KeyedStateBackend<String> backend, List<Modality> modalities) {
        this.backend = backend;
        this.modalities = modalities;
    }

    /** Rewrites every record of format 1 in the operator's keyed state; returns how many. */
    long migrate() throws Exception {
        long moved = 0;
        for (MapStateDescriptor<Long, RoutedRecord[]> pending : List.of(
                WindowAlignFunction.pendingDescriptor(), LatestAlignFunction.pendingDescriptor())) {
            MapState<Long, RoutedRecord[]> state = state(pending);
            for (String key : keys(pending.getName())) {
                backend.setCurrentKey(key);
                for (Map.Entry<Long, RoutedRecord[]> e : entries(state)) {
                    moved += upgrade(e.getValue());
                    state.put(e.getKey(), e.getValue());
                }
            }
        }
        MapState<dev.fusion.schemas.Modality, RoutedRecord[]> legacy = state(LEGACY_HISTORY);
        MapState<Integer, RoutedRecord[]> history = state(LatestAlignFunction.historyDescriptor());
        for (String key : keys(LEGACY_HISTORY.getName())) {
            backend.setCurrentKey(key);
            for (Map.Entry<dev.fusion.schemas.Modality, RoutedRecord[]> e : entries(legacy)) {
                moved += upgrade(e.getValue());
                history.put(slot(e.getKey()), e.getValue());
            }
            legacy.clear();
        }
        if (moved > 0) {
            LOG.info("moved {} aligned records from alignment state format 1 into format {}",
                    moved, FORMAT);
        }
        return moved;
    }

    private int upgrade(RoutedRecord[] records) {
        int moved = 0;
        for (RoutedRecord r : records) {
            if (r.modality != null) {
                r.slot = slot(r.modality);
                r.modality = null;
                moved++;
            }
        }
        return moved;
    }

    private int slot(dev.fusion.schemas.Modality legacy) {
        String name = legacy.name().toLowerCase(Locale.ROOT);
        return modalities.stream().filter(m -> m.id().equals(name)).findFirst()
                .map(Modality::index)
                .orElseThrow(() -> new IllegalStateException("the restored alignment state holds"
                        + " records of the stream '" + name + "', which this job does not read"
                        + " (its streams: " + modalities + "); restore it into a job that reads"
                        + " it, or stop the old job with --drain first"));
    }

    private <K, V> MapState<K, V> state(MapStateDescriptor<K, V> descriptor) throws Exception {
        return backend.getPartitionedState(VoidNamespace.INSTANCE,
                VoidNamespaceSerializer.INSTANCE, descriptor);
    }

    private List<String> keys(String stateName) {
        try (Stream<String> keys = backend.getKeys(stateName, VoidNamespace.INSTANCE)) {
            return keys.toList();
        }
    }

    private static <K, V> List<Map.Entry<K, V>> entries(MapState<K, V> state) throws Exception {
        List<Map.Entry<K, V>> out = new ArrayList<>();
        for (Map.Entry<K, V> e : state.entries()) {
            out.add(Map.entry(e.getKey(), e.getValue()));
        }
        return out;
    }
}
