package dev.fusion.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.kafka.KafkaFusionIo;
import dev.fusion.jobs.kafka.KafkaIo;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/**
 * A job that starts over a backlog while one source subtask delivers its first records long
 * after the others (longer than {@code watermarks.idleness}), as a replacement TaskManager or a
 * loaded machine does after a (re)start: that subtask's partitions are not declared idle before
 * they were read, so the other subtask does not move the watermark past their backlog, and not
 * one event is dropped LATE.
 */
class SlowSourceStartITCase extends KafkaJobTestBase {

    /** More than the default watermarks.idleness (5 s), less than watermarks.start-idleness. */
    private static final Duration DELAY = Duration.ofSeconds(12);

    @Test
    void aSourceSubtaskThatDeliversItsFirstRecordsLateHasNoEventDroppedLate() throws Exception {
        Scenario scenario = Scenario.generate(12, 6, 29L);
        produce(scenario.records);
        assertThat(inputEndOffsets()).as("records in every input partition")
                .allSatisfy((tp, end) -> assertThat(end).as("end offset of %s", tp).isPositive());
        // The defaults for idleness: that is what a user runs. One partition per source subtask,
        // so the late subtask has no sibling split whose backlog could keep its thread busy past
        // watermarks.idleness: this test is about a start, not about a starved partition.
        FusionConfig config = config(Map.of("align.window", "1 s", "job.parallelism",
                String.valueOf(PARTITIONS)));
        KafkaIo kafka = new KafkaIo(config, true);
        String key = topics.suffix();

        // Every input's subtask 0 starts late; subtask 1 reads its partitions to the end at once.
        runBounded(config, new Configuration(), io -> (env, modality, watermarks) -> {
            String name = modality.id();
            String topic = ((KafkaFusionIo) io).inputTopic(modality);
            return env.fromSource(new DelayedStartSource<>(kafka.source(topic), key, 0, DELAY),
                    watermarks, "kafka-" + name).uid("source-" + name);
        });

        assertThat(DelayedStartSource.delayedStarts(key)).as("source readers started late")
                .isEqualTo(3);
        Outputs out = readOutputs();
        assertThat(out.dropped()).as("dropped events").isEmpty();
        assertThat(out.deadLetters()).as("dead letters").isEmpty();
        Accounting.assertExact(scenario.eventIds(), out.fused(), out.deadLetters(), out.dropped());
    }
}
