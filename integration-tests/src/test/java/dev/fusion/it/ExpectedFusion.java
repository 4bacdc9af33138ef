package dev.fusion.it;

import dev.fusion.models.inference.IntegrationBatch;
import dev.fusion.models.inference.IntegrationModel;
import dev.fusion.models.inference.IntegrationResult;
import dev.fusion.models.inference.RoutingModel;
import dev.fusion.models.inference.TextRoutingModel;
import dev.fusion.models.manifest.FusionMode;
import dev.fusion.models.manifest.ModelManifest;
import dev.fusion.models.runtime.RuntimeOptions;
import dev.fusion.operators.align.ModalityPool;
import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.operators.records.RoutedRecord;
import dev.fusion.schemas.Modality;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What the pipeline must output for a scenario, computed directly with the model runtime, one
 * record at a time, outside Flink: the reference the end-to-end outputs are compared with.
 */
final class ExpectedFusion {

    /** One expected fusion. */
    record Expected(String entityId, long eventTime, String triggerEventId, List<Modality> modalities,
            List<String> sourceEventIds, float[] fused, float[] weights, float[] scores) {
    }

    private ExpectedFusion() {
    }

    static List<RoutedRecord> route(ModelManifest manifest, List<ModalityRecord> records) {
        RuntimeOptions cpu = RuntimeOptions.defaults().withDevice(dev.fusion.models.runtime.Device.parse("cpu"));
        List<RoutedRecord> out = new ArrayList<>();
        try (TextRoutingModel text = TextRoutingModel.open(manifest, cpu);
                RoutingModel audio = RoutingModel.open(manifest, dev.fusion.models.manifest.Modality.AUDIO, cpu);
                RoutingModel image = RoutingModel.open(manifest, dev.fusion.models.manifest.Modality.IMAGE, cpu)) {
            for (ModalityRecord r : records) {
                var result = switch (Streams.of(r)) {
                    case TEXT -> text.routeTexts(List.of(r.text));
                    case AUDIO -> audio.route(List.of(r.features));
                    case IMAGE -> image.route(List.of(r.features));
                };
                out.add(RoutedRecord.of(r, result.embedding(0), result.gateLogit(0)));
            }
        }
        return out;
    }

    /** Window policy: one fusion per entity and tumbling window. */
    static Map<String, Expected> window(ModelManifest manifest, FusionMode mode, List<RoutedRecord> routed,
            long windowMs) {
        Map<String, List<RoutedRecord>> groups = new TreeMap<>();
        for (RoutedRecord r : routed) {
            long start = r.eventTime - Math.floorMod(r.eventTime, windowMs);
            groups.computeIfAbsent(r.entityId + "@" + (start + windowMs - 1), k -> new ArrayList<>()).add(r);
        }
        Map<String, Expected> out = new LinkedHashMap<>();
        try (IntegrationModel model = open(manifest, mode)) {
            for (Entry<String, List<RoutedRecord>> g : groups.entrySet()) {
                Map<Modality, List<RoutedRecord>> byModality = g.getValue().stream()
                        .collect(Collectors.groupingBy(r -> Streams.of(r), () -> new EnumMap<>(Modality.class),
                                Collectors.toList()));
                Map<Modality, float[]> embeddings = new EnumMap<>(Modality.class);
                Map<Modality, Float> gates = new EnumMap<>(Modality.class);
                byModality.forEach((m, list) -> {
                    ModalityPool pool = ModalityPool.of(list);
                    embeddings.put(m, pool.embedding());
                    gates.put(m, pool.gateLogit());
                });
                RoutedRecord first = g.getValue().get(0);
                long end = Long.parseLong(g.getKey().substring(g.getKey().indexOf('@') + 1));
                List<String> ids = g.getValue().stream().map(r -> r.eventId).sorted().toList();
                out.put(g.getKey(), fuse(model, first.entityId, end, null, embeddings, gates, ids));
            }
        }
        return out;
    }

    /** Latest policy: one fusion per record with the latest of each other modality within ttl. */
    static Map<String, Expected> latest(ModelManifest manifest, FusionMode mode, List<RoutedRecord> routed,
            long ttlMs) {
        Map<String, List<RoutedRecord>> byEntity = routed.stream()
                .collect(Collectors.groupingBy(r -> r.entityId, TreeMap::new, Collectors.toList()));
        Map<String, Expected> out = new LinkedHashMap<>();
        try (IntegrationModel model = open(manifest, mode)) {
            for (List<RoutedRecord> records : byEntity.values()) {
                records.sort(Comparator.comparingLong((RoutedRecord r) -> r.eventTime).thenComparing(r -> r.eventId));
                for (RoutedRecord trigger : records) {
                    Map<Modality, float[]> embeddings = new EnumMap<>(Modality.class);
                    Map<Modality, Float> gates = new EnumMap<>(Modality.class);
                    embeddings.put(Streams.of(trigger), trigger.embedding);
                    gates.put(Streams.of(trigger), trigger.gateLogit);
                    List<String> ids = new ArrayList<>(List.of(trigger.eventId));
                    for (Modality m : Modality.values()) {
                        if (m == Streams.of(trigger)) {
                            continue;
                        }
                        records.stream()
                                .filter(r -> Streams.of(r) == m && r.eventTime <= trigger.eventTime
                                        && r.eventTime >= trigger.eventTime - ttlMs)
                                .max(Comparator.comparingLong((RoutedRecord r) -> r.eventTime)
                                        .thenComparing(r -> r.eventId))
                                .ifPresent(held -> {
                                    embeddings.put(m, held.embedding);
                                    gates.put(m, held.gateLogit);
                                    ids.add(held.eventId);
                                });
                    }
                    out.put(trigger.eventId, fuse(model, trigger.entityId, trigger.eventTime,
                            trigger.eventId, embeddings, gates, ids));
                }
            }
        }
        return out;
    }

    private static Expected fuse(IntegrationModel model, String entity, long time, String trigger,
            Map<Modality, float[]> embeddings, Map<Modality, Float> gates, List<String> ids) {
        IntegrationBatch batch = model.newBatch(1);
        batch.add(new float[][] {embeddings.get(Modality.TEXT), embeddings.get(Modality.AUDIO),
            embeddings.get(Modality.IMAGE)}, new float[] {gates.getOrDefault(Modality.TEXT, 0f),
                gates.getOrDefault(Modality.AUDIO, 0f), gates.getOrDefault(Modality.IMAGE, 0f)});
        IntegrationResult r = model.fuse(batch);
        return new Expected(entity, time, trigger, List.copyOf(embeddings.keySet()), ids, r.fused(0),
                r.weights(0), r.scores(0));
    }

    private static IntegrationModel open(ModelManifest manifest, FusionMode mode) {
        return IntegrationModel.open(manifest, mode,
                RuntimeOptions.defaults().withDevice(dev.fusion.models.runtime.Device.parse("cpu")));
    }
}
