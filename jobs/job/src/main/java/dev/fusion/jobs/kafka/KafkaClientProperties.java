package dev.fusion.jobs.kafka;

import dev.fusion.jobs.config.ConfigException;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import java.io.Serializable;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The properties of every Kafka client the project makes (sources, sinks, admin clients, the
 * launcher's producer and readers): the bootstrap servers plus each {@code kafka.properties.<name>}
 * passed through as {@code <name>}.
 *
 * <p>The user's value wins over a client's own default. Where a client needs a value for one of
 * its guarantees it sets it with {@link #override}, which logs once when that overrules the user;
 * a user value that would break exactly-once, or that duplicates a declared option, is refused
 * when the configuration is loaded ({@link #validate}).
 */
public final class KafkaClientProperties implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(KafkaClientProperties.class);

    /** The configuration prefix of pass-through client properties. */
    public static final String PREFIX = FusionOptions.KAFKA_PROPERTIES_PREFIX;
    /** What a secret's value is shown as. */
    public static final String MASK = "******";

    private static final Set<String> SECRET_WORDS =
            Set.of("password", "secret", "jaas", "token", "key");
    /** Properties that are declared options of their own: one place for each setting. */
    private static final Map<String, String> DECLARED = Map.of(
            "bootstrap.servers", FusionOptions.BOOTSTRAP_SERVERS.key(),
            "group.id", FusionOptions.GROUP_ID.key(),
            "transactional.id", FusionOptions.TRANSACTIONAL_ID_PREFIX.key(),
            "transaction.timeout.ms", FusionOptions.TRANSACTION_TIMEOUT.key());
    /** Quoted secrets inside a JAAS configuration, such as {@code password="..."}. */
    private static final Pattern JAAS_SECRET = Pattern.compile(
            "\\w*(?:password|secret|token|key)\\w*\\s*=\\s*\"([^\"]*)\"", Pattern.CASE_INSENSITIVE);
    private static final Set<String> LOGGED_OVERRIDES = ConcurrentHashMap.newKeySet();

    private final String bootstrapServers;
    private final Map<String, String> user;

    private KafkaClientProperties(String bootstrapServers, Map<String, String> user) {
        this.bootstrapServers = bootstrapServers;
        this.user = Collections.unmodifiableMap(new TreeMap<>(user));
    }

    /** The clients of {@code config}'s cluster ({@code kafka.bootstrap-servers}, required). */
    public static KafkaClientProperties of(FusionConfig config) {
        if (!config.isSet(FusionOptions.BOOTSTRAP_SERVERS)) {
            throw new ConfigException(FusionOptions.BOOTSTRAP_SERVERS.key()
                    + " is required: the Kafka cluster to read from and write to");
        }
        return of(config.get(FusionOptions.BOOTSTRAP_SERVERS), config);
    }

    /** Clients of {@code bootstrapServers} with {@code config}'s pass-through properties. */
    public static KafkaClientProperties of(String bootstrapServers, FusionConfig config) {
        return new KafkaClientProperties(bootstrapServers, config.kafkaProperties());
    }

    /** Clients of {@code bootstrapServers} with {@code user}'s properties, validated. */
    public static KafkaClientProperties of(String bootstrapServers, Map<String, String> user) {
        validate(user);
        return new KafkaClientProperties(bootstrapServers, user);
    }

    /** Clients of an unsecured cluster, with no properties of the user's (tests, demo broker). */
    public static KafkaClientProperties plain(String bootstrapServers) {
        return new KafkaClientProperties(bootstrapServers, Map.of());
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The user's properties, without the prefix. */
    public Map<String, String> user() {
        return user;
    }

    /** The bootstrap servers and the user's properties, for a client to add its own to. */
    public Properties properties() {
        Properties props = new Properties();
        props.putAll(user);
        props.put("bootstrap.servers", bootstrapServers);
        return props;
    }

    /**
     * {@link #properties()} with a client's {@code defaults} under them: the user's value of a
     * key wins over its default.
     */
    public Properties withDefaults(Map<String, String> defaults) {
        Properties props = new Properties();
        props.putAll(defaults);
        props.putAll(properties());
        return props;
    }

    /**
     * Sets {@code key} to {@code value}, which a guarantee of the client needs ({@code why}); logs
     * once if that overrules a different value of the user's.
     */
    public static void override(Properties props, String key, String value, String why) {
        Object previous = props.put(key, value);
        if (previous != null && !previous.toString().equals(value)
                && LOGGED_OVERRIDES.add(key + "=" + previous + "->" + value)) {
            LOG.warn("{}{}={} overridden with {}: {}", PREFIX, key,
                    display(key, previous.toString()), display(key, value), why);
        }
    }

    /**
     * Refuses pass-through properties that name a declared option's setting or would break
     * exactly-once; each message names the key.
     */
    public static void validate(Map<String, String> user) {
        for (Map.Entry<String, String> e : user.entrySet()) {
            String name = e.getKey();
            String value = e.getValue().strip().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                throw new ConfigException(
                        "'" + PREFIX + "' needs a Kafka client property name after it");
            }
            if (DECLARED.containsKey(name)) {
                throw new ConfigException(PREFIX + name + " is not passed through: set "
                        + DECLARED.get(name) + " instead");
            }
            if (name.equals("isolation.level") && !value.equals("read_committed")) {
                throw new ConfigException(PREFIX + name + "=" + e.getValue() + " would let records"
                        + " of aborted transactions in and break exactly-once; the job reads"
                        + " read_committed");
            }
            if (name.equals("enable.idempotence") && !value.equals("true")) {
                throw new ConfigException(PREFIX + name + "=" + e.getValue() + " would break"
                        + " exactly-once: transactional and checked producers are idempotent");
            }
            if (name.equals("acks") && !value.equals("all") && !value.equals("-1")) {
                throw new ConfigException(PREFIX + name + "=" + e.getValue() + " would break"
                        + " exactly-once: idempotent producers need acks=all");
            }
        }
    }

    /** Whether a property's value is secret: its name has password, secret, jaas, token or key. */
    public static boolean isSecret(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (String word : SECRET_WORDS) {
            if (lower.contains(word)) {
                return true;
            }
        }
        return false;
    }

    /** {@code value} as it may be shown: {@link #MASK} for a secret. */
    public static String display(String name, String value) {
        return isSecret(name) ? MASK : value;
    }

    /**
     * {@code text} with every secret value of the user's, and every quoted password (or secret,
     * token, key) inside a JAAS configuration, replaced by {@link #MASK}: for messages that quote
     * a client's error.
     */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (Map.Entry<String, String> e : user.entrySet()) {
            if (!isSecret(e.getKey()) || e.getValue().isEmpty()) {
                continue;
            }
            out = out.replace(e.getValue(), MASK);
            Matcher quoted = JAAS_SECRET.matcher(e.getValue());
            while (quoted.find()) {
                if (!quoted.group(1).isEmpty()) {
                    out = out.replace(quoted.group(1), MASK);
                }
            }
        }
        return out;
    }
}
