package dev.fusion.operators.health;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup;
import org.apache.flink.runtime.metrics.util.TestingMetricRegistry;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;

/** A mock task environment whose metric registry keeps every metric by "name{stream}". */
final class RecordedMetrics {

    private final Map<String, Metric> metrics = new ConcurrentHashMap<>();

    MockEnvironment environment() {
        TestingMetricRegistry registry = TestingMetricRegistry.builder()
                .setRegisterConsumer((metric, name, group) -> metrics.put(name + "{"
                        + group.getAllVariables().getOrDefault("<stream>", "") + "}", metric))
                .build();
        var task = TaskManagerMetricGroup.createTaskManagerMetricGroup(registry, "localhost",
                ResourceID.generate()).addJob(new JobID(), "job")
                .addTask(ExecutionAttemptID.randomId(), "task");
        return new MockEnvironmentBuilder().setMetricGroup(task).build();
    }

    /** The value of gauge {@code name} of {@code stream}, or null if none was registered. */
    Object gauge(String name, String stream) {
        Metric m = metrics.get(name + "{" + stream + "}");
        return m == null ? null : ((Gauge<?>) m).getValue();
    }
}
