package dev.fusion.operators.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.operators.batch.MicroBatchOperatorTest.NegativePoison;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup;
import org.apache.flink.runtime.metrics.util.TestingMetricRegistry;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The micro-batching operator's metrics count what happened to a batch: its size, its records,
 * the results emitted, the splits and the poison record, and the time of the model calls
 * (every call of a split included).
 */
class MicroBatchMetricsTest {

    private static final long CALL_MILLIS = 5;

    @Test
    void aSplitBatchIsCountedExactly() throws Exception {
        Map<String, Metric> metrics = new HashMap<>();
        MicroBatchOperator<Integer, String> operator = new MicroBatchOperator<>(new SlowFunction(),
                new NegativePoison(), new MicroBatchOptions(4, Duration.ofSeconds(10)), "audio");
        try (var h = new OneInputStreamOperatorTestHarness<>(operator,
                Types.INT.createSerializer(new SerializerConfigImpl()), environment(metrics))) {
            h.open();
            for (int v : List.of(1, 2, -3, 4)) {
                h.processElement(new StreamRecord<>(v, 0L));
            }
            assertThat(h.extractOutputValues()).containsExactly("v1", "v2", "v4");
        }
        // [1, 2, -3, 4] fails, [1, 2] passes, [-3, 4] fails, [-3] fails alone, [4] passes.
        assertThat(count(metrics, "batchSplits")).isEqualTo(2);
        assertThat(count(metrics, "batchedRecords")).isEqualTo(4);
        assertThat(count(metrics, "recordsEmitted")).isEqualTo(3);
        assertThat(count(metrics, "deadLettersInferenceFailed")).isEqualTo(1);
        Histogram size = (Histogram) metrics.get("batchSize");
        assertThat(size.getStatistics().getValues()).containsExactly(4);
        Histogram calls = (Histogram) metrics.get("modelCallLatencyUs");
        assertThat(calls.getCount()).isEqualTo(1);
        assertThat(calls.getStatistics().getMax()).isGreaterThanOrEqualTo(5 * CALL_MILLIS * 1000);
    }

    private static long count(Map<String, Metric> metrics, String name) {
        return ((Counter) metrics.get(name)).getCount();
    }

    private static org.apache.flink.runtime.operators.testutils.MockEnvironment environment(
            Map<String, Metric> metrics) {
        TestingMetricRegistry registry = TestingMetricRegistry.builder()
                .setRegisterConsumer((metric, name, group) -> metrics.put(name, metric)).build();
        var task = TaskManagerMetricGroup.createTaskManagerMetricGroup(registry, "localhost",
                ResourceID.generate()).addJob(new JobID(), "job")
                .addTask(ExecutionAttemptID.randomId(), "task");
        return new MockEnvironmentBuilder().setMetricGroup(task).build();
    }

    /** Takes {@link #CALL_MILLIS} per call; fails a batch with a negative value. */
    static final class SlowFunction implements BatchFunction<Integer, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public List<String> apply(List<Integer> batch) throws InterruptedException {
            Thread.sleep(CALL_MILLIS);
            for (int v : batch) {
                if (v < 0) {
                    throw new IllegalArgumentException("negative input " + v);
                }
            }
            return batch.stream().map(v -> "v" + v).collect(Collectors.toList());
        }
    }
}
