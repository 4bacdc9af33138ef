package dev.fusion.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusion.jobs.config.ConfigException;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import dev.fusion.jobs.kafka.TopicAdmin;
import dev.fusion.jobs.lifecycle.FreshStartGuard;
import dev.fusion.jobs.lifecycle.RetainedState;
import dev.fusion.jobs.lifecycle.Snapshot;
import dev.fusion.schemas.Modality;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job that ends without a savepoint, cancelled or FAILED for good, leaves its latest checkpoint
 * behind; a new job resumed from it (as {@code flink run -s} does) loses and duplicates nothing,
 * while a new job started without it is refused, since it would skip what the state held.
 */
class RetainedStateITCase extends KafkaJobTestBase {

    private static final Logger LOG = LoggerFactory.getLogger(RetainedStateITCase.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path checkpoints;
    @TempDir
    Path savepoints;

    private String probeKey;

    @AfterEach
    void removeProbe() {
        InjectionProbe.remove(probeKey);
    }

    /** Windows of one second; idleness beyond the test, as in SavepointITCase (FLINK-40499). */
    private FusionConfig lifecycleConfig() {
        return config(Map.of("align.window", "1 s", "watermarks.idleness", "60 s",
                "job.checkpoint-dir", checkpoints.toString()));
    }

    @Test
    void aCancelledJobResumesFromItsRetainedCheckpoint() throws Exception {
        Scenario scenario = Scenario.generate(20, 8, 41L);
        int cut = scenario.records.size() / 2;
        FusionConfig config = lifecycleConfig();
        produce(scenario.records.subList(0, cut));

        JobClient first = startUnbounded(config, new Configuration());
        awaitInputConsumed(config, TIMEOUT);
        first.cancel().get(30, TimeUnit.SECONDS);
        assertThat(awaitTerminal(first, TIMEOUT)).isEqualTo(JobStatus.CANCELED);
        Snapshot kept = retained(first.getJobID());
        int fusedBefore = readOutputs().fused().size();

        assertStatelessStartRefused(config);
        produce(scenario.records.subList(cut, scenario.records.size()));
        resumeAndDrain(config, kept);

        Outputs out = readOutputs();
        LOG.info("cancel and resume: sent {} / fused {} fusions ({} before the cancel) / dlq {} /"
                + " dropped {}", scenario.records.size(), out.fused().size(), fusedBefore,
                out.deadLetters().size(), out.dropped().size());
        assertThat(fusedBefore).as("fusions committed before the cancel").isPositive();
        Accounting.assertExact(scenario.eventIds(), out.fused(), out.deadLetters(), out.dropped());
    }

    @Test
    void aJobThatFailedForGoodResumesFromItsRetainedCheckpoint() throws Exception {
        probeKey = "failed-for-good/" + topics.suffix();
        InjectionProbe probe = InjectionProbe.create(probeKey);
        FusionConfig config = lifecycleConfig();
        // Live traffic never runs out, so the armed injector always meets its record.
        LiveTraffic traffic = new LiveTraffic(broker.bootstrapServers(), topics, 40, 20, "failed-");
        traffic.start();

        // No restarts: the first failure is final, as when a cluster's restart budget runs out.
        Configuration noRestarts = new Configuration();
        noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "disable");
        Map<Modality, FailureInjectorFunction> injectors = new EnumMap<>(Modality.class);
        injectors.put(Modality.TEXT, FailureInjectorFunction.afterCheckpoint(probeKey, "inject-text", 5));
        injectors.put(Modality.AUDIO, FailureInjectorFunction.observe(probeKey, "inject-audio"));
        injectors.put(Modality.IMAGE, FailureInjectorFunction.observe(probeKey, "inject-image"));
        JobClient failing = start(config, noRestarts, false, io -> new InjectingSources(io, injectors));
        // Fail once a checkpoint has committed input offsets: a stateless start would read on from them.
        await("committed input offsets", TIMEOUT, () -> hasCommittedOffsets(config));
        probe.armed.set(true);
        assertThat(awaitTerminal(failing, TIMEOUT)).isEqualTo(JobStatus.FAILED);
        assertThat(probe.failures.get()).as("injected failures").isEqualTo(1);
        Snapshot kept = retained(failing.getJobID());

        assertStatelessStartRefused(config);
        JobClient resumed = startUnbounded(config, restoreFrom(kept));
        await("fused output of the resumed job", TIMEOUT,
                () -> readOutputs().fused().size() > fusedAt(probe));
        List<String> sent = traffic.stop();
        drain(config, resumed);

        Outputs out = readOutputs();
        LOG.info("failed and resumed: sent {} / fused {} fusions / dlq {} / dropped {}; failed at {}",
                sent.size(), out.fused().size(), out.deadLetters().size(), out.dropped().size(),
                probe.failurePoint);
        Accounting.assertExact(sent, out.fused(), out.deadLetters(), out.dropped());
    }

    /** Fusions committed when the injected failure happened. */
    private long fusedAt(InjectionProbe probe) {
        return readOutputs().fused().stream()
                .filter(f -> f.getEmittedAt().toEpochMilli() < probe.failedAtMillis).count();
    }

    private static boolean hasCommittedOffsets(FusionConfig config) throws Exception {
        try (TopicAdmin admin = new TopicAdmin(broker.bootstrapServers())) {
            return !admin.admin().listConsumerGroupOffsets(config.get(FusionOptions.GROUP_ID))
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).isEmpty();
        }
    }

    /** The latest checkpoint the ended job left in the checkpoint directory. */
    private Snapshot retained(JobID job) {
        Snapshot kept = new RetainedState(checkpoints.toUri(), null, job).latest().orElseThrow(
                () -> new AssertionError("no checkpoint of job " + job + " retained in " + checkpoints));
        assertThat(kept.kind()).isEqualTo(Snapshot.Kind.CHECKPOINT);
        return kept;
    }

    /** The committed offsets are past records the lost state held: a start without it is refused. */
    private void assertStatelessStartRefused(FusionConfig config) {
        List<String> inputs = List.of(topics.text(), topics.audio(), topics.image());
        assertThatThrownBy(() -> FreshStartGuard.check(config, false, inputs))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("consumer group 'it-" + topics.suffix() + "'")
                .hasMessageContaining("job.start-fresh=true");
    }

    /** Resumes from {@code snapshot}, reads everything, and drains (the last windows fire). */
    private void resumeAndDrain(FusionConfig config, Snapshot snapshot) throws Exception {
        drain(config, startUnbounded(config, restoreFrom(snapshot)));
    }

    private static Configuration restoreFrom(Snapshot snapshot) {
        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, snapshot.location().toString());
        return restore;
    }

    /** Waits until the job has read everything produced, then stops it with a drain. */
    private void drain(FusionConfig config, JobClient job) throws Exception {
        awaitInputConsumed(config, TIMEOUT);
        job.stopWithSavepoint(true, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(60, TimeUnit.SECONDS);
        assertThat(awaitTerminal(job, TIMEOUT)).isEqualTo(JobStatus.FINISHED);
    }
}
