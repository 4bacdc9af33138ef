package dev.fusion.schemas.codec;

import dev.fusion.schemas.AudioFeatureEvent;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DroppedEvent;
import dev.fusion.schemas.FeatureEvent;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.ImageFeatureEvent;
import dev.fusion.schemas.TextEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * Every schema version the project has ever shipped, per record name: the current one (the
 * generated class) and the older ones kept under {@code dev/fusion/schemas/history/}.
 *
 * <p>A reader accepts exactly these writer versions; when a schema changes, the old version's
 * file goes into the history folder and its name into {@link #HISTORY}.
 */
public final class SchemaHistory {

    /** Older versions, oldest first, as classpath resources next to this package. */
    private static final List<String> HISTORY = List.of("TextEvent-v1.avsc", "DeadLetter-v1.avsc",
            "DroppedEvent-v1.avsc", "DroppedEvent-v2.avsc", "FusedEvent-v1.avsc");

    private static final List<Schema> CURRENT = List.of(
            TextEvent.getClassSchema(),
            AudioFeatureEvent.getClassSchema(),
            ImageFeatureEvent.getClassSchema(),
            FeatureEvent.getClassSchema(),
            FusedEvent.getClassSchema(),
            DeadLetter.getClassSchema(),
            DroppedEvent.getClassSchema());

    private static final Map<String, List<Schema>> VERSIONS = load();

    private SchemaHistory() {
    }

    /** All known versions of the record with this full name, oldest first, current last. */
    public static List<Schema> versionsOf(String fullName) {
        List<Schema> versions = VERSIONS.get(fullName);
        if (versions == null) {
            throw new IllegalArgumentException("no schema history for record '" + fullName
                    + "'; known records: " + VERSIONS.keySet());
        }
        return versions;
    }

    /** The historical versions only (not the current one), oldest first. */
    public static List<Schema> historyOf(String fullName) {
        List<Schema> versions = versionsOf(fullName);
        return versions.subList(0, versions.size() - 1);
    }

    private static Map<String, List<Schema>> load() {
        Map<String, List<Schema>> versions = new LinkedHashMap<>();
        for (String resource : HISTORY) {
            Schema schema = parseResource("/dev/fusion/schemas/history/" + resource);
            versions.computeIfAbsent(schema.getFullName(), k -> new ArrayList<>()).add(schema);
        }
        for (Schema schema : CURRENT) {
            versions.computeIfAbsent(schema.getFullName(), k -> new ArrayList<>()).add(schema);
        }
        versions.replaceAll((name, list) -> List.copyOf(list));
        return Map.copyOf(versions);
    }

    private static Schema parseResource(String path) {
        try (InputStream in = SchemaHistory.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("schema history resource " + path + " is missing");
            }
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schema history resource " + path, e);
        }
    }
}
