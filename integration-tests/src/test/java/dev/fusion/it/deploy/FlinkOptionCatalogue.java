package dev.fusion.it.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.MetricOptions;

/**
 * The configuration keys this project's Flink (2.2) knows, read by reflection from the
 * {@code *Options} classes of its jars, and a check of a deployment's Flink settings against them:
 * every key known, none deprecated, every value parseable by its option.
 */
final class FlinkOptionCatalogue {

    /** The factory of Flink's Prometheus reporter, as {@code metrics.reporter.<name>.factory.class}. */
    static final String PROMETHEUS_FACTORY =
            "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";

    /** One class from each Flink jar whose options a deployment may set. */
    private static final List<String> ANCHORS = List.of(
            "org.apache.flink.configuration.CoreOptions",
            "org.apache.flink.runtime.entrypoint.ClusterEntrypoint",
            "org.apache.flink.client.cli.CliFrontend",
            "org.apache.flink.streaming.api.environment.StreamExecutionEnvironment",
            PROMETHEUS_FACTORY);

    private static final String REPORTER_PREFIX = "metrics.reporter.";

    private final Map<String, ConfigOption<?>> current = new HashMap<>();
    private final Map<String, String> deprecated = new HashMap<>();
    private final Map<String, ConfigOption<?>> reporterOptions = new HashMap<>();

    private FlinkOptionCatalogue() {
    }

    /** The catalogue of every option declared in the anchors' jars. */
    static FlinkOptionCatalogue load() {
        FlinkOptionCatalogue catalogue = new FlinkOptionCatalogue();
        Set<Path> jars = new HashSet<>();
        for (String anchor : ANCHORS) {
            jars.add(jarOf(anchor));
        }
        for (Path jar : jars) {
            for (String className : optionClasses(jar)) {
                catalogue.addOptionsOf(className);
            }
        }
        catalogue.addReporterOptions();
        return catalogue;
    }

    /**
     * What is wrong with {@code settings} (key to value, as a Flink configuration file holds
     * them): unknown keys, deprecated keys with their replacement, values their option rejects.
     */
    List<String> problems(Map<String, String> settings) {
        List<String> problems = new ArrayList<>();
        settings.forEach((key, value) -> {
            // A reporter's options are read under metrics.reporter.<name>., as Flink does.
            String suffix = reporterSuffix(key);
            ConfigOption<?> option = suffix != null ? reporterOptions.get(suffix) : current.get(key);
            if (option == null) {
                problems.add(key + (deprecated.containsKey(key) ? " is deprecated: " + deprecated.get(key)
                        : " is no Flink 2.2 configuration key"));
                return;
            }
            try {
                Configuration.fromMap(Map.of(option.key(), value)).get(option);
            } catch (RuntimeException e) {
                problems.add(key + ": '" + value + "' is no valid value (" + e.getMessage() + ")");
            }
            if (option == MetricOptions.REPORTER_FACTORY_CLASS && !loadable(value)) {
                problems.add(key + ": no class " + value);
            }
        });
        return problems;
    }

    private static boolean loadable(String className) {
        try {
            Class.forName(className, false, FlinkOptionCatalogue.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static String reporterSuffix(String key) {
        if (!key.startsWith(REPORTER_PREFIX)) {
            return null;
        }
        String rest = key.substring(REPORTER_PREFIX.length());
        int dot = rest.indexOf('.');
        return dot <= 0 ? null : rest.substring(dot + 1);
    }

    private void addOptionsOf(String className) {
        Class<?> type;
        try {
            type = Class.forName(className, false, FlinkOptionCatalogue.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return;
        }
        boolean classDeprecated = type.isAnnotationPresent(Deprecated.class);
        for (Field field : type.getDeclaredFields()) {
            if (!Modifier.isStatic(field.getModifiers()) || field.getType() != ConfigOption.class) {
                continue;
            }
            ConfigOption<?> option = read(field);
            if (option == null || type == MetricOptions.class && field.getName().startsWith("REPORTER_")
                    && !field.getName().equals("REPORTERS_LIST")) {
                continue;
            }
            if (classDeprecated || field.isAnnotationPresent(Deprecated.class)) {
                deprecated.putIfAbsent(option.key(), type.getSimpleName() + "." + field.getName()
                        + " is marked @Deprecated");
            } else {
                current.put(option.key(), option);
            }
            for (FallbackKey fallback : option.fallbackKeys()) {
                if (fallback.isDeprecated()) {
                    deprecated.put(fallback.getKey(), "use " + option.key());
                }
            }
        }
    }

    private void addReporterOptions() {
        for (Field field : MetricOptions.class.getDeclaredFields()) {
            if (field.getType() == ConfigOption.class && field.getName().startsWith("REPORTER_")
                    && !field.getName().equals("REPORTERS_LIST")) {
                ConfigOption<?> option = read(field);
                reporterOptions.put(option.key(), option);
            }
        }
        // The Prometheus reporter reads its port as a plain argument, not a ConfigOption.
        try {
            Class<?> factory = Class.forName(PROMETHEUS_FACTORY);
            Field port = factory.getDeclaredField("ARG_PORT");
            port.setAccessible(true);
            String key = (String) port.get(null);
            reporterOptions.put(key, ConfigOptions.key(key).stringType().noDefaultValue());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the Prometheus reporter's port argument moved", e);
        }
    }

    private static ConfigOption<?> read(Field field) {
        try {
            field.setAccessible(true);
            return (ConfigOption<?>) field.get(null);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    private static Path jarOf(String className) {
        try {
            return Path.of(Class.forName(className, false, FlinkOptionCatalogue.class.getClassLoader())
                    .getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (ClassNotFoundException | URISyntaxException e) {
            throw new IllegalStateException("cannot find the jar of " + className, e);
        }
    }

    private static List<String> optionClasses(Path jar) {
        List<String> names = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            for (JarEntry entry : Collections.list(file.entries())) {
                String name = entry.getName();
                if (name.startsWith("org/apache/flink/") && name.endsWith("Options.class")) {
                    names.add(name.substring(0, name.length() - ".class".length()).replace('/', '.'));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }
}
