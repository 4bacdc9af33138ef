package dev.fusion.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusion.jobs.config.ConfigException;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.FusedEvent;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code kafka.properties.*} reach every client, the job's guarantees kept and secrets masked. */
class KafkaClientPropertiesTest {

    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule"
            + " required username=\"fusion-job\" password=\"s3cr3t-pw\";";
    private static final Map<String, String> SECURED = Map.of(
            "kafka.bootstrap-servers", "broker:9093",
            "kafka.properties.security.protocol", "SASL_SSL",
            "kafka.properties.sasl.mechanism", "SCRAM-SHA-512",
            "kafka.properties.sasl.jaas.config", JAAS,
            "kafka.properties.ssl.truststore.location", "/etc/kafka/truststore.p12",
            "kafka.properties.ssl.truststore.password", "trust-pw",
            "kafka.properties.client.id", "fusion");

    @Test
    void everyPassThroughPropertyReachesTheClientsWithoutItsPrefix() {
        Properties props = KafkaClientProperties.of(FusionConfig.of(SECURED)).properties();
        assertThat(props).containsExactlyInAnyOrderEntriesOf(Map.of(
                "bootstrap.servers", "broker:9093",
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", JAAS,
                "ssl.truststore.location", "/etc/kafka/truststore.p12",
                "ssl.truststore.password", "trust-pw",
                "client.id", "fusion"));
    }

    @Test
    void theJobsSourcesAndSinksGetThemWithTheirOwnGuarantees() throws Exception {
        FusionConfig config =
                FusionConfig.of(with(SECURED, "kafka.properties.max.request.size", "2097152"));
        KafkaIo io = new KafkaIo(config, true);
        Properties source = field(io.source("in"), KafkaSource.class, "props");
        assertThat(source).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.jaas.config", JAAS)
                .containsEntry("isolation.level", "read_committed")
                .containsEntry("group.id", "fusion-job")
                .containsEntry("bootstrap.servers", "broker:9093");
        Properties sink = producerConfig(io.sink(FusedEvent.class, "out", e -> null, "fused"));
        assertThat(sink).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("ssl.truststore.location", "/etc/kafka/truststore.p12")
                .containsEntry("transaction.timeout.ms", "300000")
                .containsEntry("max.request.size", "2097152");
        // The user's larger max.request.size stands on the dead-letter sink too.
        Properties dlq = producerConfig(io.deadLetterSink("dlq", d -> null));
        assertThat(dlq).containsEntry("max.request.size", "2097152")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
    }

    @Test
    void aMaxRequestSizeBelowTheLargestDeadLetterIsRaisedOnTheDeadLetterSinkAndLoggedOnce()
            throws Exception {
        FusionConfig config = FusionConfig.of(Map.of("kafka.bootstrap-servers", "broker:9093",
                "kafka.properties.max.request.size", "1000"));
        List<String> logged = captureWarnings(() -> {
            KafkaIo io = new KafkaIo(config, true);
            io.deadLetterSink("dlq", d -> null);
            io.deadLetterSink("dlq", d -> null);
            Properties fused = producerConfig(io.sink(FusedEvent.class, "out", e -> null, "fused"));
            assertThat(fused).containsEntry("max.request.size", "1000");
            Properties dlq = producerConfig(io.deadLetterSink("dlq", d -> null));
            assertThat(dlq).containsEntry("max.request.size", String.valueOf(1 << 20));
        });
        assertThat(logged).containsExactly("kafka.properties.max.request.size=1000 overridden with"
                + " 1048576: the dead-letter sink must hold the largest dead letter"
                + " dlq.max-value-bytes and dlq.max-key-bytes allow");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
            "isolation.level, read_uncommitted, would let records of aborted transactions in",
            "enable.idempotence, false, would break exactly-once",
            "acks, 1, would break exactly-once",
            "group.id, other, 'is not passed through: set kafka.group-id instead'",
            "bootstrap.servers, x:9092, 'is not passed through: set kafka.bootstrap-servers instead'",
            "transactional.id, x, 'is not passed through: set kafka.transactional-id-prefix instead'",
            "transaction.timeout.ms, 1, 'is not passed through: set kafka.transaction-timeout instead'"})
    void valuesThatBreakExactlyOnceOrDuplicateAnOptionAreRefusedNamingTheKey(String name,
            String value, String why) {
        assertThatThrownBy(() -> FusionConfig.of(Map.of("kafka.properties." + name, value)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("kafka.properties." + name)
                .hasMessageContaining(why);
    }

    @Test
    void theSafeValuesOfGuardedPropertiesAreAccepted() {
        FusionConfig config = FusionConfig.of(Map.of(
                "kafka.properties.isolation.level", "read_committed",
                "kafka.properties.enable.idempotence", "true", "kafka.properties.acks", "all"));
        assertThat(config.kafkaProperties()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "isolation.level", "read_committed", "enable.idempotence", "true", "acks", "all"));
    }

    @Test
    void unknownKeysOutsideTheFamilyAreStillRefused() {
        assertThatThrownBy(() -> FusionConfig.of(Map.of("kafka.property.security.protocol", "SSL")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(
                        "unknown configuration key 'kafka.property.security.protocol'");
        assertThatThrownBy(() -> FusionConfig.of(Map.of("kafka.properties.", "x")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("'kafka.properties.' needs a Kafka client property name");
    }

    @Test
    void theConfigurationDumpMasksEverySecretAndShowsTheRest() {
        Map<String, String> secrets = new HashMap<>(SECURED);
        secrets.put("kafka.properties.ssl.key.password", "key-pw");
        secrets.put("kafka.properties.ssl.keystore.key", "PEM-KEY");
        secrets.put("kafka.properties.sasl.oauthbearer.token.endpoint.url", "https://idp/token");
        secrets.put("kafka.properties.some.secret.thing", "shh");
        Map<String, String> effective = FusionConfig.of(secrets).effective();
        assertThat(effective).containsEntry("kafka.properties.security.protocol", "SASL_SSL")
                .containsEntry("kafka.properties.client.id", "fusion")
                .containsEntry("kafka.properties.ssl.truststore.location",
                        "/etc/kafka/truststore.p12")
                .containsEntry("kafka.properties.sasl.jaas.config", "******")
                .containsEntry("kafka.properties.ssl.truststore.password", "******")
                .containsEntry("kafka.properties.ssl.key.password", "******")
                .containsEntry("kafka.properties.ssl.keystore.key", "******")
                .containsEntry("kafka.properties.sasl.oauthbearer.token.endpoint.url", "******")
                .containsEntry("kafka.properties.some.secret.thing", "******");
        String dump = effective.toString();
        for (String secret : List.of("s3cr3t-pw", "trust-pw", "key-pw", "PEM-KEY", "shh",
                "ScramLoginModule")) {
            assertThat(dump).doesNotContain(secret);
        }
    }

    @Test
    void redactionHidesSecretValuesAndThePasswordsInsideAJaasConfiguration() {
        KafkaClientProperties clients = KafkaClientProperties.of(FusionConfig.of(SECURED));
        assertThat(clients.redact("login failed for password s3cr3t-pw with " + JAAS + " trust-pw"))
                .isEqualTo("login failed for password ****** with ****** ******");
        // The user name is not a secret: messages about a principal stay readable.
        assertThat(clients.redact("user fusion-job")).isEqualTo("user fusion-job");
    }

    @Test
    void anOverrideOfAUsersSecretIsLoggedMasked() {
        Properties props = new Properties();
        props.put("sasl.jaas.config", "users-secret");
        List<String> logged = captureWarnings(() ->
                KafkaClientProperties.override(props, "sasl.jaas.config", "ours", "a test"));
        assertThat(logged).containsExactly("kafka.properties.sasl.jaas.config=****** overridden with"
                + " ******: a test");
        assertThat(props).containsEntry("sasl.jaas.config", "ours");
    }

    private static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> out = new HashMap<>(base);
        out.put(key, value);
        return out;
    }

    private static Properties producerConfig(KafkaSink<?> sink) throws Exception {
        return field(sink, KafkaSink.class, "kafkaProducerConfig");
    }

    private static Properties field(Object target, Class<?> type, String name) throws Exception {
        Field f = type.getDeclaredField(name);
        f.setAccessible(true);
        return (Properties) f.get(target);
    }

    /** Runs {@code body}, returning the WARN messages KafkaClientProperties logged meanwhile. */
    private static List<String> captureWarnings(ThrowingRunnable body) {
        List<String> messages = new ArrayList<>();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        AbstractAppender appender = new AbstractAppender("capture", null, null, true,
                Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                if (event.getLevel() == Level.WARN
                        && event.getLoggerName().equals(KafkaClientProperties.class.getName())) {
                    messages.add(event.getMessage().getFormattedMessage());
                }
            }
        };
        appender.start();
        context.getConfiguration().getRootLogger().addAppender(appender, Level.ALL, null);
        context.updateLoggers();
        try {
            body.run();
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            context.getConfiguration().getRootLogger().removeAppender("capture");
            context.updateLoggers();
        }
        return messages;
    }

    /** A test body that may throw. */
    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
