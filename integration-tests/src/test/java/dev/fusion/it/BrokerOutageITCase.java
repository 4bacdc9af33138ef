package dev.fusion.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.embedded.EmbeddedKafkaBroker;
import dev.fusion.jobs.kafka.CheckedProducer;
import dev.fusion.jobs.kafka.CommittedTopicReader;
import dev.fusion.jobs.synthetic.SyntheticDistribution;
import dev.fusion.jobs.synthetic.SyntheticSample;
import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.Modality;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker goes away for a minute while the job runs, with records in flight and windows open,
 * then comes back on the same port with the same data: the job recovers by itself, and the
 * committed outputs account for every event sent before and after the outage exactly once.
 *
 * <p>Whether the job fails during the outage depends on the moment: a sink that must write while
 * the broker is away fails after the Kafka clients' 60 s timeouts, and the job then restarts from
 * its last checkpoint (with unlimited exponential-delay attempts, as a real outage needs); one
 * that has nothing to write waits. Both happen in runs of this test; the log line at the end says
 * which (the task starts, "#1 (restored)" after a restart).
 */
class BrokerOutageITCase extends KafkaJobTestBase {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerOutageITCase.class);

    static final Duration OUTAGE = Duration.ofSeconds(60);
    /** Traffic before and after the outage, each. */
    static final Duration TRAFFIC = Duration.ofSeconds(8);
    static final int ENTITIES = 24;
    /** Samples per second; a sample is one to three records. */
    static final int SAMPLES_PER_SECOND = 40;

    @TempDir
    static Path brokerData;

    /**
     * Supersedes the base class's broker (which then starts none): a fixed port
     * and a data directory of the test's own, so that the restarted broker is the same one.
     */
    @BeforeAll
    static void startBroker() throws Exception {
        broker = EmbeddedKafkaBroker.builder().port(freePort())
                .dataDir(brokerData.resolve("kafka")).start();
    }

    private String probeKey;
    private final List<Traffic> traffic = new ArrayList<>();

    /** A failed test leaves no traffic running (the base class checks for producer threads). */
    @AfterEach
    void stopTrafficAndRemoveProbe() throws InterruptedException {
        for (Traffic t : traffic) {
            t.halt();
        }
        InjectionProbe.remove(probeKey);
    }

    @Test
    void aMinuteWithoutTheBrokerLosesAndDuplicatesNothing(@TempDir Path savepoints)
            throws Exception {
        // Idleness longer than the test: the drain at the end must fire every window (an idle
        // source drops the drain's final watermark, FLINK-40499), and no partition may turn idle
        // while the broker is away.
        FusionConfig config = config(Map.of("align.policy", "window", "align.window", "1 s",
                "watermarks.idleness", "10 min"));
        // The job must outlast the outage on its own: retry for ever, at most 5 s apart.
        Configuration restarts = new Configuration();
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF,
                Duration.ofSeconds(1));
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF,
                Duration.ofSeconds(5));
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS,
                Integer.MAX_VALUE);
        List<String> sent = new CopyOnWriteArrayList<>();
        probeKey = "outage/" + topics.suffix();
        InjectionProbe probe = InjectionProbe.create(probeKey);
        Map<Modality, FailureInjectorFunction> observers = new EnumMap<>(Modality.class);
        for (Modality m : Modality.values()) {
            observers.put(m, FailureInjectorFunction.observe(probeKey,
                    "inject-" + m.name().toLowerCase(Locale.ROOT)));
        }
        JobClient job = start(config, restarts, false, io -> new InjectingSources(io, observers));

        Traffic before = Traffic.start(broker.bootstrapServers(), topics, "before", sent);
        traffic.add(before);
        await("committed fused output before the outage", Duration.ofSeconds(90),
                () -> fusedIds().stream().anyMatch(id -> id.startsWith("before-")));
        Thread.sleep(TRAFFIC.toMillis());
        before.stop();
        // Records just sent are still in flight in the job, and windows are open.
        long stoppedAt = System.currentTimeMillis();
        broker.stop();
        Thread.sleep(OUTAGE.toMillis());
        broker.restart();
        long restartedAt = System.currentTimeMillis();
        LOG.info("broker down for {} ms, back at {}", restartedAt - stoppedAt,
                broker.bootstrapServers());

        Traffic after = Traffic.start(broker.bootstrapServers(), topics, "after", sent);
        traffic.add(after);
        await("committed fused output of traffic after the outage", Duration.ofSeconds(180),
                () -> fusedIds().stream().anyMatch(id -> id.startsWith("after-")));
        long recoveredAt = System.currentTimeMillis();
        Thread.sleep(Math.max(0, TRAFFIC.toMillis() - (recoveredAt - restartedAt)));
        after.stop();

        awaitInputConsumed(config, Duration.ofSeconds(120));
        // Drain: the final watermark fires the windows still open, the savepoint commits them.
        job.stopWithSavepoint(true, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(120, TimeUnit.SECONDS);
        assertThat(awaitTerminal(job, Duration.ofSeconds(60))).isEqualTo(JobStatus.FINISHED);

        Outputs out = readOutputs();
        long fusedInputs = out.fused().stream().mapToLong(f -> f.getSourceEventIds().size()).sum();
        int attempts = probe.attemptsBySubtask().values().stream()
                .mapToInt(a -> a.stream().mapToInt(Integer::intValue).max().orElse(0)).max()
                .orElse(0);
        LOG.info("broker outage: sent {} ({} before, {} after), fused {} inputs in {} fusions,"
                + " {} dead letters, {} dropped; {} job restarts; recovered {} ms after the broker"
                + " came back; task starts {}", sent.size(), before.count(), after.count(),
                fusedInputs, out.fused().size(), out.deadLetters().size(), out.dropped().size(),
                attempts, recoveredAt - restartedAt, new TreeSet<>(probe.starts));
        assertThat(before.count()).as("events sent before the outage").isGreaterThan(500);
        assertThat(after.count()).as("events sent after the outage").isGreaterThan(500);
        assertThat(out.deadLetters()).as("dead letters").isEmpty();
        Accounting.assertExact(sent, out.fused(), out.deadLetters(), out.dropped());
    }

    /** Source ids of every committed fusion so far. */
    private List<String> fusedIds() {
        List<String> ids = new ArrayList<>();
        for (FusedEvent f : CommittedTopicReader.readAll(broker.bootstrapServers(),
                topics.fused(), FusedEvent.class, Duration.ofSeconds(10))) {
            ids.addAll(f.getSourceEventIds());
        }
        return ids;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * Live traffic in a thread of its own: samples of random entities at event time now, every
     * send checked; {@link #stop()} returns once each record sent is acknowledged.
     */
    private static final class Traffic implements Runnable {

        private final String bootstrapServers;
        private final Topics topics;
        private final String prefix;
        private final List<String> sent;
        private final Thread thread;
        private volatile boolean running = true;
        private volatile Throwable failure;
        private volatile int count;

        private Traffic(String bootstrapServers, Topics topics, String prefix, List<String> sent) {
            this.bootstrapServers = bootstrapServers;
            this.topics = topics;
            this.prefix = prefix;
            this.sent = sent;
            this.thread = new Thread(this, "traffic-" + prefix);
        }

        static Traffic start(String bootstrapServers, Topics topics, String prefix,
                List<String> sent) {
            Traffic t = new Traffic(bootstrapServers, topics, prefix, sent);
            t.thread.start();
            return t;
        }

        @Override
        public void run() {
            SyntheticDistribution dist = SyntheticDistribution.bundled();
            Random random = new Random(prefix.hashCode());
            int[] classOf = new int[ENTITIES];
            for (int e = 0; e < ENTITIES; e++) {
                classOf[e] = dist.sampleClass(random);
            }
            try (CheckedProducer producer = new CheckedProducer(bootstrapServers)) {
                long started = System.currentTimeMillis();
                for (long n = 0; running; n++) {
                    long due = started + n * 1000 / SAMPLES_PER_SECOND;
                    Thread.sleep(Math.max(0, due - System.currentTimeMillis()));
                    int e = random.nextInt(ENTITIES);
                    for (ModalityRecord r : records("entity-" + e, dist.sample(classOf[e], random),
                            n)) {
                        producer.send(Scenario.topic(topics, Streams.of(r)),
                                r.entityId.getBytes(StandardCharsets.UTF_8), Scenario.encode(r));
                        sent.add(r.eventId);
                        count++;
                    }
                    if (n % 20 == 19) {
                        producer.flush();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = e;
            } catch (RuntimeException e) {
                failure = e;
            }
        }

        private List<ModalityRecord> records(String entity, SyntheticSample s, long n) {
            long t = System.currentTimeMillis();
            String id = prefix + "-" + n + "-";
            List<ModalityRecord> out = new ArrayList<>(3);
            if (s.text() != null) {
                out.add(ModalityRecord.text(0, id + "t", entity, t, s.text(), null, 0, 0));
            }
            if (s.audio() != null) {
                out.add(ModalityRecord.features(Streams.slot(Modality.AUDIO), id + "a", entity, t, s.audio(),
                        null, 0, 0));
            }
            if (s.image() != null) {
                out.add(ModalityRecord.features(Streams.slot(Modality.IMAGE), id + "i", entity, t, s.image(),
                        null, 0, 0));
            }
            return out;
        }

        /** Stops sending; fails if any record was not acknowledged. */
        void stop() throws InterruptedException {
            running = false;
            thread.join(60_000);
            assertThat(thread.isAlive()).as("traffic %s still sending", prefix).isFalse();
            assertThat(failure).as("traffic %s failed", prefix).isNull();
        }

        /** Stops sending without checks (after a failed test). */
        void halt() throws InterruptedException {
            running = false;
            thread.join(60_000);
        }

        int count() {
            return count;
        }
    }
}
