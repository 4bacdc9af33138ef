package dev.fusion.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.kafka.CommittedTopicReader;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.Modality;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Nothing is lost and nothing is duplicated across a task failure. A bounded run over a few
 * thousand events is failed once, after it committed some output and while it has output in
 * open transactions; it restarts from its last completed checkpoint, replays, and the committed
 * outputs still account for every input event exactly once.
 *
 * <p>Sensitivity: with {@code job.exactly-once=false} every test here fails on duplicates.
 */
class ExactlyOnceITCase extends KafkaJobTestBase {

    private static final Logger LOG = LoggerFactory.getLogger(ExactlyOnceITCase.class);

    /**
     * Sleep per record until the failure happened, so the input outlasts the moment to fail:
     * before the failure is armed, and (longer) between arming and failing.
     */
    static final long THROTTLE_MS = 4;
    static final long ARMED_THROTTLE_MS = 10;
    /** A text subtask fails on this record after a checkpoint-complete notification. */
    static final int RECORDS_AFTER_CHECKPOINT = 40;

    private String probeKey;

    @AfterEach
    void removeProbe() {
        InjectionProbe.remove(probeKey);
    }

    @ParameterizedTest(name = "{0} alignment")
    @ValueSource(strings = {"window", "latest"})
    void failureAfterACompletedCheckpointLosesAndDuplicatesNothing(String policy)
            throws Exception {
        probeKey = "after-checkpoint/" + topics.suffix();
        InjectionProbe probe = InjectionProbe.create(probeKey);
        Scenario scenario = produceScenario();

        run(policy, probe, FailureInjectorFunction.afterCheckpoint(probeKey, "inject-text",
                RECORDS_AFTER_CHECKPOINT));

        assertOneFailureAndOneRestart(probe, scenario);
        // The countdown to the failure started at a checkpoint-complete notification; the restart
        // resumed from that checkpoint (or a later one, had one completed in between).
        long checkpoint = probe.failureCheckpoint.get();
        assertThat(probe.failurePoint).matches("inject-text/[01]: record "
                + RECORDS_AFTER_CHECKPOINT + " after the completion of checkpoint " + checkpoint);
        assertThat(probe.completedCheckpoints).contains(checkpoint);
        assertExactlyOnce(probe, scenario);
    }

    @ParameterizedTest(name = "{0} alignment")
    @ValueSource(strings = {"window", "latest"})
    void failureDuringACheckpointLosesAndDuplicatesNothing(String policy) throws Exception {
        probeKey = "during-checkpoint/" + topics.suffix();
        InjectionProbe probe = InjectionProbe.create(probeKey);
        Scenario scenario = produceScenario();

        run(policy, probe, FailureInjectorFunction.duringCheckpoint(probeKey, "inject-text"));

        assertOneFailureAndOneRestart(probe, scenario);
        long failed = probe.failureCheckpoint.get();
        assertThat(probe.failurePoint)
                .matches("inject-text/[01]: snapshot of checkpoint " + failed);
        // The checkpoint the failure interrupted never completed; an earlier one did, and the
        // restart resumed from it.
        assertThat(probe.completedCheckpoints).doesNotContain(failed);
        assertThat(probe.completedCheckpoints).anyMatch(id -> id < failed);
        assertExactlyOnce(probe, scenario);
    }

    private Scenario produceScenario() throws InterruptedException {
        Scenario scenario = Scenario.generate(60, 40, 7L);
        assertThat(scenario.records).hasSizeGreaterThan(5000);
        scenario.produce(broker.bootstrapServers(), topics);
        return scenario;
    }

    /**
     * Runs the job on the bounded input with injectors behind every source; arms the failure
     * once some fused output is committed, and waits for the job to finish.
     */
    private void run(String policy, InjectionProbe probe, FailureInjectorFunction textInjector)
            throws Exception {
        // The throttle makes a source subtask take seconds to emit one fetch of one partition,
        // during which its other partitions emit nothing: with the default idleness (2 s) they
        // would be marked idle and their records dropped LATE. Idleness is not under test here.
        FusionConfig config = config(Map.of("align.policy", policy, "align.window", "1 s",
                "align.ttl", "10 s", "watermarks.idleness", "60 s"));
        Map<Modality, FailureInjectorFunction> injectors = new EnumMap<>(Modality.class);
        injectors.put(Modality.TEXT, textInjector);
        injectors.put(Modality.AUDIO, FailureInjectorFunction.observe(probeKey, "inject-audio"));
        injectors.put(Modality.IMAGE, FailureInjectorFunction.observe(probeKey, "inject-image"));
        probe.throttleMillis = THROTTLE_MS;
        long started = System.currentTimeMillis();
        JobClient job = start(config, new Configuration(), true,
                io -> new InjectingSources(io, injectors));
        await("committed fused output", Duration.ofSeconds(60), () -> !CommittedTopicReader
                .readRaw(broker.bootstrapServers(), topics.fused(), Duration.ofSeconds(10))
                .isEmpty());
        long armed = System.currentTimeMillis();
        long processedWhenArmed = probe.processed.get();
        probe.throttleMillis = ARMED_THROTTLE_MS;
        probe.armed.set(true);
        job.getJobExecutionResult().get(180, TimeUnit.SECONDS);
        LOG.info("armed at +{} ms after {} records, failed at +{} ms, finished at +{} ms; {}",
                armed - started, processedWhenArmed, probe.failedAtMillis - started,
                System.currentTimeMillis() - started, probe);
    }

    private static void assertOneFailureAndOneRestart(InjectionProbe probe, Scenario scenario) {
        assertThat(probe.failures.get()).as("injected failures (0: the input ran out before the"
                + " moment to fail; raise the throttle or the input size): %s", probe).isEqualTo(1);
        // Every injector subtask started once; the job restarted exactly once (no attempt 2),
        // and the failed subtask ran again from restored state. (A subtask that had read all
        // its input before the failure may be restored as finished, without a second start.)
        Map<String, Set<Integer>> attempts = probe.attemptsBySubtask();
        assertThat(attempts).as("attempts per subtask: %s", probe).containsOnlyKeys(
                "inject-text/0", "inject-text/1", "inject-audio/0", "inject-audio/1",
                "inject-image/0", "inject-image/1");
        assertThat(attempts.values()).as("attempts per subtask: %s", probe)
                .allMatch(a -> a.contains(0) && Set.of(0, 1).containsAll(a));
        String failed = probe.failurePoint.substring(0, probe.failurePoint.indexOf(':'));
        assertThat(probe.starts).as("task starts")
                .contains(failed + "#0", failed + "#1 (restored)")
                .allMatch(s -> s.contains("#1") == s.endsWith("(restored)"));
        // The records between the restored checkpoint and the failure went through twice.
        assertThat(probe.processed.get()).as("records through the injectors, all attempts")
                .isGreaterThan(scenario.records.size());
    }

    private void assertExactlyOnce(InjectionProbe probe, Scenario scenario) {
        Outputs out = readOutputs();
        assertThat(out.deadLetters()).as("dead letters").isEmpty();
        assertThat(out.dropped()).as("dropped events").isEmpty();
        Accounting.assertExact(scenario.eventIds(), out.fused(), out.deadLetters(), out.dropped());

        // The failure came after output was committed, and while output sat in transactions
        // that it made the sinks abort: replayed without them, those would be duplicates.
        List<FusedEvent> written = UncommittedTopicReader.readAll(broker.bootstrapServers(),
                topics.fused(), FusedEvent.class, Duration.ofSeconds(30));
        long committedBeforeFailure = out.fused().stream()
                .filter(e -> e.getEmittedAt().toEpochMilli() < probe.failedAtMillis).count();
        LOG.info("{} fused outputs committed ({} emitted before the failure), {} written to"
                + " aborted transactions", out.fused().size(), committedBeforeFailure,
                written.size() - out.fused().size());
        assertThat(committedBeforeFailure).as("fused outputs committed before the failure")
                .isPositive();
        assertThat(written.size()).as("fused outputs written, including aborted transactions")
                .isGreaterThan(out.fused().size());
    }
}
