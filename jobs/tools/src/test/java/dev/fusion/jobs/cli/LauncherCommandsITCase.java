package dev.fusion.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.jobs.config.FusionOptions;
import dev.fusion.jobs.embedded.LocalPorts;
import dev.fusion.jobs.lifecycle.JobIdentity;
import dev.fusion.schemas.AlignmentPolicy;
import dev.fusion.schemas.AudioFeatureEvent;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DeadLetterReason;
import dev.fusion.schemas.DropReason;
import dev.fusion.schemas.DroppedEvent;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.ImageFeatureEvent;
import dev.fusion.schemas.Modality;
import dev.fusion.schemas.TextEvent;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.ConfigOption;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each command the launcher documents, once, as a user runs it: a child JVM of
 * {@link FusionCli} per command, started from an argfile with this JVM's class path the way
 * {@code ./fusion} does (a long command line crashes ONNX Runtime 1.29), without the build that
 * {@code ./fusion} would run first. {@code run} and {@code demo} have their own tests.
 */
class LauncherCommandsITCase {

    private static final Path ROOT = Path.of("..", "..").toAbsolutePath().normalize();
    private static final Pattern READY = Pattern.compile("Kafka broker ready at (\\S+) ");
    private static final Pattern DATA = Pattern.compile("^Data in (\\S+) ");
    private static final Pattern DONE = Pattern.compile(
            "done: (\\d+) events \\(text \\d+, audio \\d+, image \\d+\\), every send acknowledged");
    private static final Pattern RUN_ID = Pattern.compile("run id (\\S+) ");

    @TempDir
    Path tempDir;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        started.stream().filter(Process::isAlive).forEach(Process::destroyForcibly);
    }

    @Test
    void helpListsEveryCommandAndItsNewOptions() throws Exception {
        Process help = new ProcessBuilder("bash", ROOT.resolve("fusion").toString(), "--help")
                .redirectErrorStream(true).start();
        String output = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(help.waitFor()).isZero();
        for (String command : List.of("demo", "run", "broker", "produce", "tail", "options",
                "state", "models", "build", "test", "bench", "help")) {
            assertThat(output).containsPattern("(?m)^  " + command + " ");
        }
        assertThat(output).contains("--port 9092", "--host localhost", "--data-dir DIR",
                "--advertised-host NAME", "--run-id ID", "--page-port 8082", "models check DIR",
                "models\n            manifest DIR");
    }

    @Test
    void modelsCheckPassesTheBundledDirectoryAndFailsABrokenOneWithExitCode2() throws Exception {
        Child ok = Child.start(started, tempDir, "models", "check",
                ROOT.resolve("models/artifacts").toString(), "--fusion-mode", "max,weighted");
        assertThat(ok.waitFor(Duration.ofSeconds(60))).as(ok.output()).isZero();
        assertThat(ok.output()).contains("ok: every check passed");

        Path broken = tempDir.resolve("broken-models");
        Files.createDirectories(broken);
        Files.copy(ROOT.resolve("models/artifacts/manifest.json"), broken.resolve("manifest.json"));
        Child failing = Child.start(started, tempDir, "models", "check", broken.toString());
        assertThat(failing.waitFor(Duration.ofSeconds(60))).as(failing.output()).isEqualTo(2);
        assertThat(failing.output()).contains("fusion models: model 'text-routing': file"
                + " text_routing.onnx not found");
    }

    @Test
    void optionsListsEveryKeyWithItsDefault() throws Exception {
        Child options = Child.start(started, tempDir, "options");
        assertThat(options.waitFor(Duration.ofSeconds(60))).isZero();
        for (ConfigOption<?> option : FusionOptions.all()) {
            assertThat(options.output()).containsPattern("(?m)^  " + Pattern.quote(option.key())
                    + " +default ");
        }
        assertThat(options.output()).containsPattern(
                "(?m)^  kafka\\.properties\\.<name> +\\(any number, no default\\)$");
        assertThat(options.output()).contains(FusionOptions.KAFKA_PROPERTIES_DESCRIPTION);
    }

    @Test
    void stateListsARetainedCheckpointAndPrintsTheLatest() throws Exception {
        String job = JobIdentity.of("launcher-state").toHexString();
        Path chk = Files.createDirectories(tempDir.resolve("ckpt").resolve(job).resolve("chk-4"));
        Files.write(chk.resolve("_metadata"), new byte[] {1});
        String[] settings = {"--set", "job.checkpoint-dir=" + tempDir.resolve("ckpt"), "--set",
                "job.name=launcher-state"};
        Child list = Child.start(started, tempDir, concat("state", settings));
        assertThat(list.waitFor(Duration.ofSeconds(60))).isZero();
        assertThat(list.output()).contains("retained state of job " + job)
                .contains("checkpoint chk-4 (completed ");
        Child latest = Child.start(started, tempDir, concat("state", settings, "--latest"));
        assertThat(latest.waitFor(Duration.ofSeconds(60))).isZero();
        assertThat(latest.output()).contains(chk.toString());
    }

    private static String[] concat(String command, String[] settings, String... more) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of(settings));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    @Test
    void brokerListensWhereItSaysProducedIdsAreUniqueAcrossRunsTailPrintsAndDataGoes()
            throws Exception {
        int port = LocalPorts.freePort();
        Child broker = Child.start(started, tempDir, "broker", "--port", String.valueOf(port));
        String ready = broker.awaitLine(READY, Duration.ofSeconds(60));
        assertThat(ready).isEqualTo("localhost:" + port);
        Path dataDir = Path.of(broker.awaitLine(DATA, Duration.ofSeconds(5)));
        assertThat(dataDir.resolve("meta.properties")).exists();
        String bootstrap = "localhost:" + port;
        // A client reaches the broker on exactly that port, and is told to stay there.
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Collection<Node> nodes = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
            assertThat(nodes).extracting(n -> n.host() + ":" + n.port()).containsExactly(bootstrap);
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).containsExactlyInAnyOrder(
                    "fusion.text", "fusion.audio", "fusion.image", "fusion.fused", "fusion.dlq",
                    "fusion.dropped");
        }

        // A topic that is not there fails at once, naming its key, instead of waiting for metadata.
        Child missing = Child.start(started, tempDir, "produce", "--bootstrap-servers", bootstrap,
                "--set", "kafka.topics.audio=nowhere.audio", "--duration", "5s");
        assertThat(missing.waitFor(Duration.ofSeconds(30))).as(missing.output()).isEqualTo(2);
        assertThat(missing.output()).contains("topics [nowhere.audio (kafka.topics.audio)] do not"
                + " exist at kafka.bootstrap-servers=" + bootstrap).doesNotContain("producing ");

        Run first = produce(bootstrap);
        Run second = produce(bootstrap);
        assertThat(first.runId).isNotEqualTo(second.runId);
        List<String> ids = inputEventIds(bootstrap, first.events + second.events);
        assertThat(ids).hasSize((int) (first.events + second.events));
        assertThat(new HashSet<>(ids)).as("distinct event ids").hasSize(ids.size());
        assertThat(ids.stream().filter(id -> id.startsWith(first.runId + "-")).count())
                .isEqualTo(first.events);
        assertThat(ids.stream().filter(id -> id.startsWith(second.runId + "-")).count())
                .isEqualTo(second.events);

        writeOneOutputOfEachKind(bootstrap);
        Child tail = Child.start(started, tempDir, "tail", "--bootstrap-servers", bootstrap,
                "--topic", "all", "--from-beginning", "--max", "3");
        assertThat(tail.waitFor(Duration.ofSeconds(60))).isZero();
        assertThat(tail.output()).containsPattern("(?m)^FUSED .* entity-1 .* class 1 \\(p=0\\.90\\)")
                .containsPattern("(?m)^DLQ .* fusion\\.audio/0@5 +MALFORMED +cli-a-1 ")
                .containsPattern("(?m)^DROPPED .* fusion\\.text/1@7 +LATE +cli-t-2 entity-2 ");

        broker.terminate();
        // SIGTERM: the JVM runs its shutdown hooks, then exits with 128 + 15.
        assertThat(broker.waitFor(Duration.ofSeconds(60))).isEqualTo(143);
        assertThat(broker.output()).contains("stopping the broker...");
        assertThat(dataDir).as("the broker's data directory after SIGTERM").doesNotExist();
        assertThat(accepts(port)).isFalse();
    }

    @Test
    void aBrokerOnADataDirKeepsItsDataOnExit() throws Exception {
        int port = LocalPorts.freePort();
        Path dataDir = tempDir.resolve("kafka-data");
        Child broker = Child.start(started, tempDir, "broker", "--port", String.valueOf(port),
                "--host", "127.0.0.1", "--data-dir", dataDir.toString());
        assertThat(broker.awaitLine(READY, Duration.ofSeconds(60))).isEqualTo("127.0.0.1:" + port);
        assertThat(broker.awaitLine(DATA, Duration.ofSeconds(5))).isEqualTo(dataDir.toString());
        broker.terminate();
        assertThat(broker.waitFor(Duration.ofSeconds(60))).isEqualTo(143);
        assertThat(broker.output()).contains("stopping the broker...");
        assertThat(dataDir.resolve("meta.properties")).exists();
        try (var topics = Files.list(dataDir)) {
            assertThat(topics.map(p -> p.getFileName().toString()))
                    .contains("fusion.text-0", "fusion.text-1", "fusion.dropped-0");
        }
    }

    /** One produce run of 3 s; its event count and run id from its output. */
    private Run produce(String bootstrap) throws Exception {
        Child produce = Child.start(started, tempDir, "produce", "--bootstrap-servers", bootstrap,
                "--duration", "5s", "--rate", "200", "--entities", "20");
        assertThat(produce.waitFor(Duration.ofSeconds(60))).as(produce.output()).isZero();
        Matcher done = DONE.matcher(produce.output());
        Matcher runId = RUN_ID.matcher(produce.output());
        assertThat(done.find()).as(produce.output()).isTrue();
        assertThat(runId.find()).as(produce.output()).isTrue();
        long events = Long.parseLong(done.group(1));
        // Not a rate check: on a loaded machine the producer's first send can take most of the
        // run; any events at all suffice for the ids' uniqueness across runs.
        assertThat(events).isPositive();
        return new Run(runId.group(1), events);
    }

    private record Run(String runId, long events) {
    }

    /** Every event id in the three input topics, read until {@code expected} came. */
    private static List<String> inputEventIds(String bootstrap, long expected) throws Exception {
        SingleObjectCodec<TextEvent> text = SingleObjectCodec.forSpecific(TextEvent.class);
        SingleObjectCodec<AudioFeatureEvent> audio =
                SingleObjectCodec.forSpecific(AudioFeatureEvent.class);
        SingleObjectCodec<ImageFeatureEvent> image =
                SingleObjectCodec.forSpecific(ImageFeatureEvent.class);
        List<String> ids = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrap)) {
            consumer.subscribe(List.of("fusion.text", "fusion.audio", "fusion.image"));
            long deadline = System.currentTimeMillis() + 30_000;
            while (ids.size() < expected && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    ids.add(switch (r.topic()) {
                        case "fusion.text" -> text.decode(r.value()).getEventId();
                        case "fusion.audio" -> audio.decode(r.value()).getEventId();
                        default -> image.decode(r.value()).getEventId();
                    });
                }
            }
            consumer.poll(Duration.ofMillis(500)).forEach(r -> ids.add("extra record " + r));
        }
        return ids;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "launcher-it-" + System.nanoTime());
        return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** One record in each output topic, so that {@code tail --topic all} has one of each. */
    private static void writeOneOutputOfEachKind(String bootstrap) throws Exception {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        FusedEvent fused = FusedEvent.newBuilder().setEntityId("entity-1").setEventTime(t)
                .setAlignment(AlignmentPolicy.WINDOW).setWindowStart(t.minusSeconds(1))
                .setFused(List.of(0.5f, 0.5f)).setScores(List.of(0.1f, 0.9f))
                .setWeights(List.of(0.4f, 0.3f, 0.3f)).setModalities(List.of(Modality.TEXT))
                .setSourceEventIds(List.of("cli-t-0")).setModelVersion("test").setEmittedAt(t)
                .build();
        DeadLetter dead = DeadLetter.newBuilder().setSourceTopic("fusion.audio").setPartition(0)
                .setOffset(5).setReason(DeadLetterReason.MALFORMED).setMessage("not Avro")
                .setEventId("cli-a-1").setFailedAt(t).build();
        DroppedEvent dropped = DroppedEvent.newBuilder().setSourceTopic("fusion.text")
                .setPartition(1).setOffset(7).setEventId("cli-t-2").setEntityId("entity-2")
                .setEventTime(t).setReason(DropReason.LATE).setMessage("behind the watermark")
                .build();
        Map<String, Object> props = Map.of("bootstrap.servers", bootstrap, "acks", "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props,
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("fusion.fused",
                    SingleObjectCodec.forSpecific(FusedEvent.class).encode(fused))).get();
            producer.send(new ProducerRecord<>("fusion.dlq",
                    SingleObjectCodec.forSpecific(DeadLetter.class).encode(dead))).get();
            producer.send(new ProducerRecord<>("fusion.dropped",
                    SingleObjectCodec.forSpecific(DroppedEvent.class).encode(dropped))).get();
        }
    }

    private static boolean accepts(int port) {
        return LocalPorts.accepts("localhost", port);
    }


    /** A child JVM running one {@code fusion} command, its output collected line by line. */
    private static final class Child {

        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();
        final Thread reader;

        private Child(Process process) {
            this.process = process;
            this.reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(
                        process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    lines.add("(output unreadable: " + e + ")");
                }
            }, "child-output");
            reader.setDaemon(true);
            reader.start();
        }

        /**
         * {@code java @argfile dev.fusion.jobs.cli.FusionCli <args>}, as the launcher runs it, with
         * the launcher's logging configuration.
         */
        static Child start(List<Process> started, Path tempDir, String... args) throws IOException {
            Path argfile = Files.createTempFile(tempDir, "fusion-java", ".args");
            String classPath = System.getProperty("java.class.path");
            Files.writeString(argfile, "-cp\n\"" + classPath.replace("\\", "\\\\") + "\"\n");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx384m", "-XX:MaxDirectMemorySize=128m",
                    "-Dlog4j2.configurationFile=" + ROOT.resolve("config/log4j2-cli.properties"),
                    "@" + argfile, FusionCli.class.getName()));
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put("ORT_DISABLE_TELEMETRY", "1");
            Process process = builder.start();
            started.add(process);
            return new Child(process);
        }

        /** The first group of the first line matching {@code pattern}, waiting for it. */
        String awaitLine(Pattern pattern, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (String line : lines) {
                    Matcher m = pattern.matcher(line);
                    if (m.find()) {
                        return m.group(1);
                    }
                }
                if (!process.isAlive() && !reader.isAlive()) {
                    break;
                }
                Thread.sleep(50);
            }
            throw new AssertionError("no line matching " + pattern + " within " + timeout
                    + "; output:\n" + output());
        }

        /**
         * Sends SIGTERM, as {@code kill} or a service manager would ({@link Process#destroy()}
         * would also close the output this test reads).
         */
        void terminate() throws IOException, InterruptedException {
            Process kill = new ProcessBuilder("kill", "-TERM", String.valueOf(process.pid()))
                    .inheritIO().start();
            assertThat(kill.waitFor()).isZero();
        }

        /** Waits for the command to exit; its exit status. */
        int waitFor(Duration timeout) throws InterruptedException {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("still running after " + timeout + "; output:\n"
                        + output());
            }
            reader.join(10_000);
            return process.exitValue();
        }

        String output() {
            return String.join("\n", lines);
        }
    }
}
