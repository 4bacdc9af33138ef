package dev.fusion.jobs.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fusion.jobs.kafka.KafkaClientProperties;
import dev.fusion.models.manifest.Modality;
import dev.fusion.models.runtime.Device;
import dev.fusion.models.runtime.RuntimeOptions;
import dev.fusion.operators.decode.DeadLetters;
import dev.fusion.operators.health.HealthOptions;
import dev.fusion.operators.routing.ModelLocation;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * The job's configuration: a YAML file of {@link FusionOptions} plus command-line overrides,
 * validated once, up front, with errors that name the key.
 */
public final class FusionConfig implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Set<String> KNOWN_KEYS =
            FusionOptions.all().stream().map(ConfigOption::key).collect(Collectors.toSet());

    private static final String WATERMARK_ALIGNMENT_REMOVED = "watermark alignment can fail the"
            + " Kafka sources (IllegalStateException 'No current assignment for partition' when a"
            + " split finishes while alignment pauses it: FLINK-39728, fixed in the Kafka connector"
            + " after 5.0.0-2.2, the newest release for Flink 2.2); remove the key";
    /** Keys of earlier versions, and why they are gone, so an old configuration fails clearly. */
    private static final Map<String, String> REMOVED_KEYS = Map.of(
            "watermarks.alignment-max-drift", WATERMARK_ALIGNMENT_REMOVED,
            "watermarks.alignment-update-interval", WATERMARK_ALIGNMENT_REMOVED);

    private final Map<String, String> values;
    private final Configuration configuration;

    private FusionConfig(Map<String, String> values) {
        this.values = Map.copyOf(values);
        this.configuration = Configuration.fromMap(values);
    }

    /** Loads {@code yaml} (may be null) and applies {@code overrides}; validates everything. */
    public static FusionConfig load(Path yaml, Map<String, String> overrides) {
        Map<String, String> values = new LinkedHashMap<>();
        if (yaml != null) {
            values.putAll(readYaml(yaml));
        }
        values.putAll(overrides);
        FusionConfig config = new FusionConfig(values);
        config.validate();
        return config;
    }

    /** Defaults plus {@code overrides}, validated. */
    public static FusionConfig of(Map<String, String> overrides) {
        return load(null, overrides);
    }

    /** The value of {@code option}, or its default. */
    public <T> T get(ConfigOption<T> option) {
        try {
            return configuration.get(option);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid value '" + values.get(option.key()) + "' for "
                    + option.key() + ": " + rootMessage(e), e);
        }
    }

    /** Whether {@code option} was set explicitly. */
    public boolean isSet(ConfigOption<?> option) {
        String v = values.get(option.key());
        return v != null && !v.isBlank();
    }

    /** A copy with more overrides, validated again. */
    public FusionConfig with(Map<String, String> overrides) {
        Map<String, String> merged = new LinkedHashMap<>(values);
        merged.putAll(overrides);
        FusionConfig config = new FusionConfig(merged);
        config.validate();
        return config;
    }

    /**
     * The Kafka client properties given as {@code kafka.properties.<name>}, by {@code <name>};
     * every client the project makes gets them ({@link KafkaClientProperties}).
     */
    public Map<String, String> kafkaProperties() {
        Map<String, String> out = new TreeMap<>();
        values.forEach((key, value) -> {
            if (key.startsWith(KafkaClientProperties.PREFIX)) {
                out.put(key.substring(KafkaClientProperties.PREFIX.length()), value);
            }
        });
        return out;
    }

    /**
     * Every option with its effective value, every input topic key of a further stream
     * ({@link #inputTopicStreams}) and every {@code kafka.properties.*} given, sorted by key, for
     * the start-up log; secrets ({@link KafkaClientProperties#isSecret}) are masked.
     */
    public Map<String, String> effective() {
        Map<String, String> out = new TreeMap<>();
        for (ConfigOption<?> option : FusionOptions.all()) {
            Object v = configuration.getOptional(option).orElse(null);
            if (v == null && option.hasDefaultValue()) {
                v = option.defaultValue();
            }
            out.put(option.key(), v == null ? "" : v.toString());
        }
        inputTopicStreams().forEach(stream -> out.put(FusionOptions.INPUT_TOPIC_PREFIX + stream,
                get(FusionOptions.inputTopic(stream))));
        kafkaProperties().forEach((name, value) -> out.put(KafkaClientProperties.PREFIX + name,
                KafkaClientProperties.display(name, value)));
        return out;
    }

    /** The earliest accepted event time. */
    public Instant minEventTime() {
        String raw = get(FusionOptions.MIN_EVENT_TIME);
        try {
            return Instant.parse(raw);
        } catch (DateTimeParseException e) {
            throw new ConfigException("invalid value '" + raw + "' for "
                    + FusionOptions.MIN_EVENT_TIME.key() + ": expected an ISO-8601 instant such as"
                    + " 2000-01-01T00:00:00Z", e);
        }
    }

    /**
     * The streams whose input topic key ({@code kafka.topics.<stream>}) is set, beyond the three
     * declared ones; the job checks each against its manifest.
     */
    public Set<String> inputTopicStreams() {
        return values.keySet().stream().map(FusionConfig::inputTopicStream)
                .filter(s -> s != null).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The stream of an input topic key of a stream no option declares, or null. */
    private static String inputTopicStream(String key) {
        if (!key.startsWith(FusionOptions.INPUT_TOPIC_PREFIX) || KNOWN_KEYS.contains(key)) {
            return null;
        }
        String stream = key.substring(FusionOptions.INPUT_TOPIC_PREFIX.length());
        return Modality.isValidName(stream) ? stream : null;
    }

    /** The model directory of {@code models.dir}, or the models bundled in the jar. */
    public ModelLocation models() {
        return ModelLocation.of(isSet(FusionOptions.MODELS_DIR) ? get(FusionOptions.MODELS_DIR) : null);
    }

    /**
     * The {@code inference.*} options as the model runtime reads them: checked here, on the
     * client, so that a device name or thread count a TaskManager would refuse fails at start.
     */
    public RuntimeOptions runtimeOptions() {
        try {
            return new RuntimeOptions(Device.parse(get(FusionOptions.DEVICE)),
                    get(FusionOptions.INTRA_OP_THREADS), get(FusionOptions.INTER_OP_THREADS));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    /**
     * {@code job.checkpoint-dir} as a URI, if set: a URI with a scheme as given, a plain path
     * made absolute ({@code file:}); empty counts as unset.
     */
    public Optional<URI> checkpointDirectory() {
        return directory(FusionOptions.CHECKPOINT_DIR);
    }

    /** {@code job.savepoint-dir} as a URI, if set, read as {@link #checkpointDirectory()} is. */
    public Optional<URI> savepointDirectory() {
        return directory(FusionOptions.SAVEPOINT_DIR);
    }

    private Optional<URI> directory(ConfigOption<String> option) {
        if (!isSet(option)) {
            return Optional.empty();
        }
        String raw = get(option).strip();
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Locations.toUri(raw));
        } catch (InvalidPathException e) {
            throw new ConfigException("invalid value '" + raw + "' for " + option.key() + ": "
                    + e.getMessage(), e);
        }
    }

    private void validate() {
        for (String key : values.keySet()) {
            if (REMOVED_KEYS.containsKey(key)) {
                throw new ConfigException("configuration key '" + key + "' was removed: "
                        + REMOVED_KEYS.get(key));
            }
            if (!KNOWN_KEYS.contains(key) && !key.startsWith(KafkaClientProperties.PREFIX)
                    && inputTopicStream(key) == null) {
                throw new ConfigException("unknown configuration key '" + key + "'" + suggestion(key)
                        + "; run './fusion options' to list every key");
            }
        }
        for (ConfigOption<?> option : FusionOptions.all()) {
            get(option);
        }
        KafkaClientProperties.validate(kafkaProperties());
        atLeast(FusionOptions.PARALLELISM, 1);
        atLeast(FusionOptions.BATCH_SIZE, 1);
        atLeast(FusionOptions.INTRA_OP_THREADS, 1);
        atLeast(FusionOptions.INTER_OP_THREADS, 1);
        atLeast(FusionOptions.MAX_TEXT_CHARS, 1);
        atLeast(FusionOptions.MAX_ID_CHARS, 1);
        positive(FusionOptions.MAX_DELAY);
        positive(FusionOptions.ALIGN_WINDOW);
        positive(FusionOptions.ALIGN_TTL);
        positive(FusionOptions.CHECKPOINT_INTERVAL);
        positive(FusionOptions.CHANGELOG_MATERIALIZE_INTERVAL);
        positive(FusionOptions.TRANSACTION_TIMEOUT);
        notNegative(FusionOptions.ALLOWED_LATENESS);
        notNegative(FusionOptions.IDLE_FLUSH_AFTER);
        notNegative(FusionOptions.DUPLICATE_HORIZON);
        notNegative(FusionOptions.OUT_OF_ORDERNESS);
        positive(FusionOptions.IDLENESS);
        positive(FusionOptions.START_IDLENESS);
        notNegative(FusionOptions.MAX_FUTURE_SKEW);
        double minGate = get(FusionOptions.MIN_GATE);
        if (!(minGate >= 0.0 && minGate < 1.0)) {
            throw new ConfigException(FusionOptions.MIN_GATE.key() + " must be in [0, 1), got " + minGate);
        }
        Duration timeout = get(FusionOptions.TRANSACTION_TIMEOUT);
        Duration interval = get(FusionOptions.CHECKPOINT_INTERVAL);
        if (get(FusionOptions.EXACTLY_ONCE) && timeout.compareTo(interval) <= 0) {
            throw new ConfigException(FusionOptions.TRANSACTION_TIMEOUT.key() + " (" + timeout
                    + ") must exceed " + FusionOptions.CHECKPOINT_INTERVAL.key() + " (" + interval
                    + "), or transactions expire before their checkpoint commits them");
        }
        between(FusionOptions.DLQ_MAX_VALUE_BYTES, 0, DeadLetters.LARGEST_VALUE_CAP);
        between(FusionOptions.DLQ_MAX_KEY_BYTES, 0, DeadLetters.LARGEST_KEY_CAP);
        between(FusionOptions.METRICS_PORT, 0, 65535);
        int replication = get(FusionOptions.TOPIC_REPLICATION_FACTOR);
        if (replication != FusionOptions.BROKER_DEFAULT_REPLICATION
                && (replication < 1 || replication > Short.MAX_VALUE)) {
            throw new ConfigException(FusionOptions.TOPIC_REPLICATION_FACTOR.key() + " must be "
                    + FusionOptions.BROKER_DEFAULT_REPLICATION + " (the brokers' default) or 1 to "
                    + Short.MAX_VALUE + ", got " + replication);
        }
        healthOptions();
        minEventTime();
        runtimeOptions();
        checkpointDirectory();
        savepointDirectory();
    }

    /** When a stream is reported degraded ({@code health.*}); a bad value names its key. */
    public HealthOptions healthOptions() {
        try {
            return new HealthOptions(get(FusionOptions.HEALTH_MIN_MEAN_GATE),
                    get(FusionOptions.HEALTH_WINDOW), get(FusionOptions.HEALTH_DEGRADED_AFTER));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    /** How dead letters are bounded ({@code dlq.*}). */
    public DeadLetters deadLetters() {
        return new DeadLetters(get(FusionOptions.DLQ_MAX_VALUE_BYTES), get(FusionOptions.DLQ_MAX_KEY_BYTES));
    }

    private void atLeast(ConfigOption<Integer> option, int min) {
        int v = get(option);
        if (v < min) {
            throw new ConfigException(option.key() + " must be at least " + min + ", got " + v);
        }
    }

    private void between(ConfigOption<Integer> option, int min, int max) {
        int v = get(option);
        if (v < min || v > max) {
            throw new ConfigException(option.key() + " must be between " + min + " and " + max
                    + ", got " + v);
        }
    }

    private void positive(ConfigOption<Duration> option) {
        Duration d = get(option);
        if (d.isNegative() || d.isZero()) {
            throw new ConfigException(option.key() + " must be positive, got " + d);
        }
    }

    private void notNegative(ConfigOption<Duration> option) {
        Duration d = get(option);
        if (d.isNegative()) {
            throw new ConfigException(option.key() + " must not be negative, got " + d);
        }
    }

    private static String suggestion(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : KNOWN_KEYS) {
            int d = distance(key, known);
            if (d < bestDistance) {
                bestDistance = d;
                best = known;
            }
        }
        return bestDistance <= 3 ? " (did you mean '" + best + "'?)" : "";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static Map<String, String> readYaml(Path yaml) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(yaml));
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + yaml + ": " + e.getMessage(), e);
        }
        Map<String, String> flat = new LinkedHashMap<>();
        if (root != null && !root.isNull() && !root.isMissingNode()) {
            if (!root.isObject()) {
                throw new ConfigException("configuration file " + yaml + " must hold a YAML mapping");
            }
            flatten("", root, flat, yaml);
        }
        return flat;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out, Path file) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            JsonNode v = e.getValue();
            if (v.isObject()) {
                flatten(key, v, out, file);
            } else if (v.isArray()) {
                throw new ConfigException(key + " in " + file + " is a list; every option is a scalar");
            } else if (!v.isNull()) {
                out.put(key, v.asText());
            }
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
