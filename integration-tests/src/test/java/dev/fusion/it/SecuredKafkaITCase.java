package dev.fusion.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusion.jobs.FusionEnvironment;
import dev.fusion.jobs.FusionJob;
import dev.fusion.jobs.FusionJobMain;
import dev.fusion.jobs.config.ConfigException;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.embedded.EmbeddedKafkaBroker;
import dev.fusion.jobs.kafka.CheckedProducer;
import dev.fusion.jobs.kafka.CommittedTopicReader;
import dev.fusion.jobs.kafka.KafkaClientProperties;
import dev.fusion.jobs.kafka.KafkaFusionIo;
import dev.fusion.jobs.kafka.TopicAdmin;
import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DroppedEvent;
import dev.fusion.schemas.FusedEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job against a broker whose client listener is SASL_SSL (SCRAM-SHA-512, a self-signed
 * certificate made with {@code keytool} at test time) with ACLs: the job reads and writes only
 * through it, exactly once; a wrong password and a missing WRITE fail at start, naming the key or
 * the topic and operation; no password appears in the log.
 */
class SecuredKafkaITCase {

    private static final Logger LOG = LoggerFactory.getLogger(SecuredKafkaITCase.class);
    private static final String LISTENER = "SECURE";
    private static final String STORE_PASSWORD = "store-pw-5e7a";
    private static final String JOB_PASSWORD = "job-pw-91c3";
    private static final String LOADER_PASSWORD = "loader-pw-2b8f";
    private static final String READER_PASSWORD = "reader-pw-47d0";
    private static final String NO_WRITE_PASSWORD = "nowrite-pw-6a1e";
    private static final String WRONG_PASSWORD = "wrong-pw-d00d";
    private static final List<String> SECRETS = List.of(STORE_PASSWORD, JOB_PASSWORD,
            LOADER_PASSWORD, READER_PASSWORD, NO_WRITE_PASSWORD, WRONG_PASSWORD);
    private static final List<String> VERBOSE_LOGGERS = List.of("org.apache.kafka.common.config",
            "org.apache.kafka.clients", "org.apache.flink.connector.kafka");
    private static final int PARTITIONS = 3;
    private static final AtomicInteger TEST_NUMBER = new AtomicInteger();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(4)
                    .build());

    @TempDir
    static Path certificates;

    static EmbeddedKafkaBroker broker;
    static Path truststore;

    private final List<String> logged = Collections.synchronizedList(new ArrayList<>());
    private AbstractAppender capture;
    private Topics topics;

    @BeforeAll
    static void startSecuredBroker() throws Exception {
        Path keystore = certificates.resolve("broker.p12");
        Path certificate = certificates.resolve("broker.crt");
        truststore = certificates.resolve("truststore.p12");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "2", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
        keytool("-exportcert", "-alias", "broker", "-rfc", "-keystore", keystore.toString(),
                "-storepass", STORE_PASSWORD, "-file", certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", "broker-ca", "-file", certificate.toString(),
                "-storetype", "PKCS12", "-keystore", truststore.toString(),
                "-storepass", STORE_PASSWORD);
        String prefix = "listener.name." + LISTENER.toLowerCase() + ".";
        Map<String, String> props = new HashMap<>();
        props.put("authorizer.class.name",
                "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        // The PLAINTEXT listeners (inter-broker, controller, the test's own admin) are ANONYMOUS.
        props.put("super.users", "User:ANONYMOUS");
        props.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
        props.put(prefix + "scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        props.put(prefix + "ssl.keystore.type", "PKCS12");
        props.put(prefix + "ssl.keystore.location", keystore.toString());
        props.put(prefix + "ssl.keystore.password", STORE_PASSWORD);
        props.put(prefix + "ssl.key.password", STORE_PASSWORD);
        broker = EmbeddedKafkaBroker.builder().listener(LISTENER, "SASL_SSL")
                .brokerProperties(props).start();
        try (Admin admin = Admin.create(broker.clientProperties())) {
            admin.alterUserScramCredentials(List.of(scram("job", JOB_PASSWORD),
                    scram("loader", LOADER_PASSWORD), scram("reader", READER_PASSWORD),
                    scram("nowrite", NO_WRITE_PASSWORD))).all().get(30, TimeUnit.SECONDS);
        }
        for (String user : List.of("job", "loader", "reader", "nowrite")) {
            awaitLogin(user, passwordOf(user));
        }
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    @BeforeEach
    void createTopicsAndCaptureTheLog() throws Exception {
        topics = new Topics("s" + TEST_NUMBER.incrementAndGet());
        try (TopicAdmin admin = new TopicAdmin(broker.bootstrapServers())) {
            admin.createTopics(topics.partitions(PARTITIONS), Duration.ofSeconds(30));
        }
        capture = new AbstractAppender("secured-capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                logged.add(event.getMessage().getFormattedMessage()
                        + (event.getThrown() == null ? "" : " " + stackTrace(event.getThrown())));
            }
        };
        capture.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().addAppender(capture, Level.ALL, null);
        // Kafka's clients print their whole configuration at INFO, the connector its own steps:
        // those must not show a secret either.
        for (String logger : VERBOSE_LOGGERS) {
            Configurator.setLevel(logger, Level.INFO);
        }
        context.updateLoggers();
    }

    @AfterEach
    void noSecretWasLogged() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().removeAppender(capture.getName());
        for (String logger : VERBOSE_LOGGERS) {
            Configurator.setLevel(logger, Level.WARN);
        }
        context.updateLoggers();
        capture.stop();
        List<String> lines;
        synchronized (logged) {
            lines = new ArrayList<>(logged);
        }
        assertThat(lines).as("log lines captured").isNotEmpty();
        for (String line : lines) {
            assertNoSecretIn(line);
        }
    }

    @Test
    void theJobRunsExactlyOnceThroughSaslSslOnlyAndTailReadsItsOutput(@TempDir Path dir)
            throws Exception {
        grantJob("job", true, true);
        grantLoader();
        for (String output : List.of(topics.fused(), topics.dlq(), topics.dropped())) {
            grant(topic(output), "reader", AclOperation.READ);
        }
        // ./fusion tail reads in a consumer group of its own, fusion-tail-<random>.
        grant(new ResourcePattern(ResourceType.GROUP, "fusion-tail-", PatternType.PREFIXED),
                "reader", AclOperation.READ);
        awaitAcls();
        Scenario scenario = Scenario.generate(12, 3, 42L);
        try (CheckedProducer producer = new CheckedProducer(clients("loader", LOADER_PASSWORD))) {
            for (ModalityRecord r : scenario.records) {
                producer.send(Scenario.topic(topics, Streams.of(r)),
                        r.entityId.getBytes(StandardCharsets.UTF_8), Scenario.encode(r));
            }
            producer.flush();
            assertThat(producer.acknowledged()).isEqualTo(scenario.records.size());
        }
        FusionConfig config = config("job", JOB_PASSWORD);

        // The production entry point: configuration log, broker checks, fresh-start guard.
        submit(config);
        StreamExecutionEnvironment env = FusionEnvironment.configure(StreamExecutionEnvironment
                .getExecutionEnvironment(FusionEnvironment.baseConfiguration()), config);
        KafkaFusionIo io = new KafkaFusionIo(config, true);
        new FusionJob(config, Clock.systemUTC()).build(env, io, io);
        env.execute("secured-" + topics.suffix());

        KafkaClientProperties reader = clients("reader", READER_PASSWORD);
        Duration timeout = Duration.ofSeconds(30);
        List<FusedEvent> fused =
                CommittedTopicReader.readAll(reader, topics.fused(), FusedEvent.class, timeout);
        List<DeadLetter> dlq =
                CommittedTopicReader.readAll(reader, topics.dlq(), DeadLetter.class, timeout);
        List<DroppedEvent> dropped =
                CommittedTopicReader.readAll(reader, topics.dropped(), DroppedEvent.class, timeout);
        assertThat(dlq).as("dead letters").isEmpty();
        assertThat(dropped).as("dropped events").isEmpty();
        assertThat(fused).as("fused events").isNotEmpty();
        Accounting.assertExact(scenario.eventIds(), fused, dlq, dropped);
        LOG.info("through SASL_SSL: sent {}, fused {} (from {} events), dlq {}, dropped {}",
                scenario.records.size(), fused.size(),
                fused.stream().mapToInt(e -> e.getSourceEventIds().size()).sum(), dlq.size(),
                dropped.size());
        assertThat(logged).as("the configuration log line, secrets masked")
                .anyMatch(line -> line.startsWith("configuration: {")
                        && line.contains("kafka.properties.sasl.jaas.config=******")
                        && line.contains("kafka.properties.security.protocol=SASL_SSL"));

        // ./fusion tail, as the reader, with the properties in its --config file.
        Path tailLog = dir.resolve("tail.log");
        try (CliProcess tail = CliProcess.start(tailLog, List.of("tail",
                "--config", configFile(dir, "reader", READER_PASSWORD).toString(),
                "--topic", "fused", "--from-beginning", "--max", String.valueOf(fused.size())))) {
            assertThat(tail.awaitExit(Duration.ofSeconds(60))).as("tail's exit code; output:\n"
                    + tail.output()).isZero();
            String output = tail.output();
            assertThat(output.lines().filter(line -> line.startsWith("FUSED ")).count())
                    .as(output).isEqualTo(fused.size());
            assertNoSecretIn(output);
        }
        assertThat(logged).as("the Kafka clients' configuration dump")
                .anyMatch(line -> line.contains("security.protocol = SASL_SSL")
                        && line.contains("sasl.jaas.config = [hidden]"));
    }

    @Test
    void produceWritesThroughThePropertiesOfItsConfigFile(@TempDir Path dir) throws Exception {
        grantLoader();
        awaitAcls();
        Path log = dir.resolve("produce.log");
        try (CliProcess produce = CliProcess.start(log, List.of("produce",
                "--config", configFile(dir, "loader", LOADER_PASSWORD).toString(),
                "--rate", "200", "--duration", "2s", "--entities", "20",
                "--run-id", topics.suffix()))) {
            assertThat(produce.awaitExit(Duration.ofSeconds(60)))
                    .as("produce's exit code; output:\n" + produce.output()).isZero();
            String output = produce.output();
            Matcher done = Pattern.compile("done: (\\d+) events").matcher(output);
            assertThat(done.find()).as(output).isTrue();
            long written = 0;
            for (String input : List.of(topics.text(), topics.audio(), topics.image())) {
                written += CommittedTopicReader.readRaw(broker.bootstrapServers(), input,
                        Duration.ofSeconds(30)).size();
            }
            assertThat(written).isEqualTo(Long.parseLong(done.group(1))).isPositive();
            assertNoSecretIn(output);
        }
    }

    @Test
    void aWrongPasswordFailsAtStartNamingTheKeyAndNotThePassword() throws Exception {
        grantJob("job", true, true);
        awaitAcls();
        FusionConfig config = config("job", WRONG_PASSWORD);
        assertThatThrownBy(() -> submit(config))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(
                        "refused the credentials in kafka.properties.sasl.jaas.config")
                .hasMessageContaining("kafka.properties.sasl.mechanism=SCRAM-SHA-512")
                .satisfies(e -> {
                    for (String secret : SECRETS) {
                        assertThat(stackTrace(e)).doesNotContain(secret);
                    }
                });
    }

    @Test
    void aPrincipalWithoutWriteOnTheFusedTopicFailsAtStartNamingTopicAndOperation()
            throws Exception {
        grantJob("nowrite", false, true);
        // It may read the fused topic, so the broker tells what it may do there.
        grant(topic(topics.fused()), "nowrite",
                AclOperation.READ);
        awaitAcls();
        FusionConfig config = config("nowrite", NO_WRITE_PASSWORD);
        assertThatThrownBy(() -> submit(config))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("the job's principal is not authorized to WRITE topic "
                        + topics.fused() + " (it may [READ, DESCRIBE]): grant it WRITE");
    }

    @Test
    void aPrincipalWithoutItsTransactionalIdsFailsAtStartNamingThePrefix() throws Exception {
        grantJob("nowrite", true, false);
        awaitAcls();
        FusionConfig config = config("nowrite", NO_WRITE_PASSWORD);
        assertThatThrownBy(() -> submit(config))
                .isInstanceOf(ConfigException.class)
                .hasMessage("the job's principal is not authorized to WRITE transactional ids "
                        + topics.suffix() + "-* (kafka.transactional-id-prefix): grant it WRITE on"
                        + " TRANSACTIONAL_ID with the prefix " + topics.suffix()
                        + " (pattern type PREFIXED)");
    }

    private static void submit(FusionConfig config) throws InterruptedException {
        FusionJobMain.submit(StreamExecutionEnvironment.getExecutionEnvironment(), config);
    }

    private static ResourcePattern topic(String name) {
        return new ResourcePattern(ResourceType.TOPIC, name, PatternType.LITERAL);
    }

    private void grantLoader() throws Exception {
        for (String input : List.of(topics.text(), topics.audio(), topics.image())) {
            grant(topic(input), "loader", AclOperation.WRITE);
        }
    }

    /**
     * The job's ACLs for {@code user}: inputs and group READ, outputs WRITE (the fused one if
     * {@code writeFused}), DESCRIBE_CONFIGS on the dlq, WRITE on its transactional ids if
     * {@code transactionalIds}.
     */
    private void grantJob(String user, boolean writeFused, boolean transactionalIds)
            throws Exception {
        for (String input : List.of(topics.text(), topics.audio(), topics.image())) {
            grant(topic(input), user, AclOperation.READ);
        }
        grant(new ResourcePattern(ResourceType.GROUP, "it-" + topics.suffix(), PatternType.LITERAL),
                user, AclOperation.READ);
        List<String> outputs = writeFused ? List.of(topics.fused(), topics.dlq(), topics.dropped())
                : List.of(topics.dlq(), topics.dropped());
        for (String output : outputs) {
            grant(topic(output), user, AclOperation.WRITE);
        }
        grant(topic(topics.dlq()), user,
                AclOperation.DESCRIBE_CONFIGS);
        if (transactionalIds) {
            grant(new ResourcePattern(ResourceType.TRANSACTIONAL_ID, topics.suffix() + "-",
                    PatternType.PREFIXED), user, AclOperation.WRITE);
        }
    }

    private final List<AclBinding> granted = new ArrayList<>();

    private void grant(ResourcePattern resource, String user, AclOperation operation)
            throws Exception {
        AclBinding binding = new AclBinding(resource,
                new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
        try (Admin admin = Admin.create(broker.clientProperties())) {
            admin.createAcls(List.of(binding)).all().get(30, TimeUnit.SECONDS);
        }
        granted.add(binding);
    }

    /** Waits until the broker's authorizer, fed by the metadata log, holds every ACL granted. */
    private void awaitAcls() throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties())) {
            KafkaJobTestBase.await("the broker to apply " + granted.size() + " ACLs",
                    Duration.ofSeconds(30), () -> admin.describeAcls(AclBindingFilter.ANY).values()
                            .get(10, TimeUnit.SECONDS).containsAll(granted));
        }
    }

    private FusionConfig config(String user, String password) {
        Map<String, String> all = new HashMap<>(topics.configuration());
        all.put("kafka.bootstrap-servers", broker.bootstrapServers(LISTENER));
        all.put("kafka.transactional-id-prefix", topics.suffix());
        all.put("kafka.group-id", "it-" + topics.suffix());
        all.put("job.parallelism", "2");
        all.put("job.checkpoint-interval", "500 ms");
        all.put("inference.device", "cpu");
        all.put("inference.batch-size", "16");
        all.put("inference.max-delay", "10 ms");
        securityProperties(user, password).forEach((k, v) -> all.put("kafka.properties." + k, v));
        return FusionConfig.of(all);
    }

    /** A configuration file for the launcher: this test's topics, {@code user}'s properties. */
    private Path configFile(Path dir, String user, String password) throws IOException {
        StringBuilder yaml = new StringBuilder("kafka:\n  bootstrap-servers: ")
                .append(broker.bootstrapServers(LISTENER)).append("\n  topics:\n");
        topics.configuration().forEach((key, value) ->
                yaml.append("    ").append(key.substring("kafka.topics.".length())).append(": ")
                        .append(value).append('\n'));
        yaml.append("  properties:\n");
        securityProperties(user, password).forEach((key, value) ->
                yaml.append("    ").append(key).append(": '").append(value.replace("'", "''"))
                        .append("'\n"));
        Path file = dir.resolve(user + ".yaml");
        Files.writeString(file, yaml.toString(), StandardCharsets.UTF_8);
        return file;
    }

    private static void assertNoSecretIn(String text) {
        for (String secret : SECRETS) {
            assertThat(text).doesNotContain(secret);
        }
    }

    private static KafkaClientProperties clients(String user, String password) {
        return KafkaClientProperties.of(broker.bootstrapServers(LISTENER),
                securityProperties(user, password));
    }

    private static Map<String, String> securityProperties(String user, String password) {
        return Map.of("security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule"
                        + " required username=\"" + user + "\" password=\"" + password + "\";",
                "ssl.truststore.type", "PKCS12",
                "ssl.truststore.location", truststore.toString(),
                "ssl.truststore.password", STORE_PASSWORD,
                "client.id", "secured-it-" + user);
    }

    private static String passwordOf(String user) {
        return switch (user) {
            case "job" -> JOB_PASSWORD;
            case "loader" -> LOADER_PASSWORD;
            case "reader" -> READER_PASSWORD;
            default -> NO_WRITE_PASSWORD;
        };
    }

    private static UserScramCredentialUpsertion scram(String user, String password) {
        return new UserScramCredentialUpsertion(user,
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password);
    }

    /** Waits until {@code user} can log in: credentials reach the broker by the metadata log. */
    private static void awaitLogin(String user, String password) throws Exception {
        try (Admin admin = Admin.create(clients(user, password).properties())) {
            KafkaJobTestBase.await("the broker to accept " + user + "'s credentials",
                    Duration.ofSeconds(30), () -> {
                try {
                    admin.describeCluster().nodes().get(10, TimeUnit.SECONDS);
                    return true;
                } catch (ExecutionException e) {
                    return false;
                }
            });
        }
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
        }
    }

    private static String stackTrace(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out.toString();
    }
}
