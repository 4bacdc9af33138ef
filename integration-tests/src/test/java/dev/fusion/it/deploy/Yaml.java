package dev.fusion.it.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Deployment YAML read as Docker Compose and kubectl read it: anchors, aliases and merge keys
 * ({@code <<: *x}) resolved, which Jackson's YAML tree does not do, so SnakeYAML reads it here.
 */
final class Yaml {

    private Yaml() {
    }

    /** The one document of {@code file}, as nested maps and lists. */
    static Map<String, Object> read(Path file) {
        return asMap(new org.yaml.snakeyaml.Yaml(new SafeConstructor(new LoaderOptions()))
                .load(text(file)), file.toString());
    }

    /** Every document of {@code file} (separated by {@code ---}). */
    static List<Map<String, Object>> readAll(Path file) {
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : new org.yaml.snakeyaml.Yaml(new SafeConstructor(new LoaderOptions()))
                .loadAll(text(file))) {
            documents.add(asMap(document, file.toString()));
        }
        return documents;
    }

    /** The map under {@code path} (keys separated by '/'), failing with the path when absent. */
    static Map<String, Object> map(Map<String, Object> root, String path) {
        Object node = root;
        for (String key : path.split("/")) {
            node = asMap(node, path).get(key);
            if (node == null) {
                throw new AssertionError("no " + path + " (missing " + key + ")");
            }
        }
        return asMap(node, path);
    }

    /** The list under {@code key} of {@code parent}, failing with the key when absent. */
    @SuppressWarnings("unchecked")
    static List<Object> list(Map<String, Object> parent, String key) {
        Object node = parent.get(key);
        if (!(node instanceof List<?>)) {
            throw new AssertionError(key + " is no list: " + node);
        }
        return (List<Object>) node;
    }

    /** The text of a scalar under {@code key}, or null. */
    static String text(Map<String, Object> parent, String key) {
        Object node = parent.get(key);
        return node == null ? null : node.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object node, String where) {
        if (!(node instanceof Map<?, ?>)) {
            throw new AssertionError(where + " is no mapping: " + node);
        }
        return (Map<String, Object>) node;
    }

    private static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
