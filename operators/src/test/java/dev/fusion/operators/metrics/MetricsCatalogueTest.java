package dev.fusion.operators.metrics;

import dev.fusion.operators.TestStreams;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.operators.align.AlignOperator;
import dev.fusion.operators.align.AlignmentOptions;
import dev.fusion.operators.align.LatestAlignFunction;
import dev.fusion.operators.align.WindowAlignFunction;
import dev.fusion.operators.batch.BatchFunction;
import dev.fusion.operators.batch.MicroBatchOperator;
import dev.fusion.operators.batch.ModelServing;
import dev.fusion.operators.batch.MicroBatchOptions;
import dev.fusion.operators.decode.DeadLetters;
import dev.fusion.operators.decode.DecodeFunction;
import dev.fusion.operators.decode.ModalityDecoder;
import dev.fusion.operators.decode.ValidationOptions;
import dev.fusion.operators.filter.GateFilterFunction;
import dev.fusion.operators.health.FusedWeightsFunction;
import dev.fusion.operators.health.HealthOptions;
import dev.fusion.operators.records.RawRecord;
import dev.fusion.operators.records.RoutedRecord;
import dev.fusion.schemas.AlignmentPolicy;
import dev.fusion.models.manifest.Modality;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup;
import org.apache.flink.runtime.metrics.util.TestingMetricRegistry;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/**
 * docs/METRICS.md names exactly the metrics the job's operators register: each operator is
 * opened on a harness whose metric registry records every registration, Flink's own operator
 * metrics (those a do-nothing operator registers too) are set aside, and the rest is compared,
 * as a set, with the names in the page's catalogue table. {@link GrafanaDashboardTest} reads
 * the same registrations.
 */
class MetricsCatalogueTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"),
            java.time.ZoneOffset.UTC);
    private static final ValidationOptions VALIDATION = new ValidationOptions(20,
            Instant.parse("2000-01-01T00:00:00Z"), Duration.ofHours(1), 12);
    private static final HealthOptions HEALTH = new HealthOptions(0.3, Duration.ofSeconds(10),
            Duration.ofSeconds(10));
    /** The catalogue table's rows: the first cell is the metric's name in backquotes. */
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([A-Za-z0-9_]+)`\\s*\\|");

    @Test
    void catalogueNamesExactlyTheRegisteredMetrics() throws Exception {
        Set<String> registered = new TreeSet<>();
        for (Registration r : registrations()) {
            registered.add(r.name());
        }
        assertThat(registered).as("the job's metrics (sanity: the harnesses recorded them)")
                .contains(StreamMetrics.RECORDS_IN, StreamMetrics.DROPPED_LATE, "batchSize");
        assertThat(catalogue()).isEqualTo(registered);
    }

    /** One metric the job's operators register: its name, kind and whether it has a stream. */
    record Registration(String name, Metric metric, boolean perStream) {

        /** The names Flink's Prometheus reporter exports it under (a histogram: also _count). */
        List<String> prometheusNames() {
            String base = "flink_taskmanager_job_task_operator_" + (perStream ? "stream_" : "")
                    + name;
            return metric instanceof Histogram ? List.of(base, base + "_count") : List.of(base);
        }
    }

    /**
     * Every metric the job's operators register, apart from Flink's own operator metrics (those
     * a do-nothing operator registers too).
     */
    static Set<Registration> registrations() throws Exception {
        Set<String> flinks = new TreeSet<>();
        Consumer<Registration> flinkNames = r -> flinks.add(r.name());
        oneInput(new ProcessOperator<>(new NoOp()), flinkNames, null);
        keyed(new KeyedProcessOperator<>(new KeyedNoOp()), flinkNames);

        Set<Registration> registered = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Consumer<Registration> all = registered::add;
        for (Modality m : TestStreams.ALL) {
            oneInput(new ProcessOperator<>(new DecodeFunction(new ModalityDecoder(m,
                    m.isText() ? 0 : 4, VALIDATION, CLOCK), DeadLetters.defaults(), CLOCK)), all,
                    null);
            oneInput(new MicroBatchOperator<>(new Identity(), (r, e, now) -> List.of(),
                    new MicroBatchOptions(4, Duration.ofMillis(10)), m.id()),
                    all, null);
            oneInput(new ProcessOperator<>(new GateFilterFunction(m, 0.5, HEALTH)), all, routed(m));
        }
        oneInput(new MicroBatchOperator<>(new Identity(), (r, e, now) -> List.of(),
                new MicroBatchOptions(4, Duration.ofMillis(10))), all, null);
        oneInput(new ProcessOperator<>(new FusedWeightsFunction(HEALTH, TestStreams.ALL)), all, null);
        AlignmentOptions window = new AlignmentOptions(AlignmentPolicy.WINDOW,
                Duration.ofSeconds(1), Duration.ZERO, Duration.ofSeconds(1), Duration.ZERO,
                Duration.ofMinutes(1));
        AlignmentOptions latest = new AlignmentOptions(AlignmentPolicy.LATEST,
                Duration.ofSeconds(1), Duration.ZERO, Duration.ofSeconds(1), Duration.ZERO,
                Duration.ofMinutes(1));
        keyed(new AlignOperator(new WindowAlignFunction(window, TestStreams.M, 2), window,
                TestStreams.ALL), all);
        keyed(new AlignOperator(new LatestAlignFunction(latest, TestStreams.M, 2), latest,
                TestStreams.ALL), all);
        registered.removeIf(r -> flinks.contains(r.name()));
        return registered;
    }

    /** The names in the first column of docs/METRICS.md's table of the job's metrics. */
    static Set<String> catalogue() throws IOException {
        Set<String> names = new TreeSet<>();
        boolean inSection = false;
        for (String line : Files.readAllLines(page())) {
            if (line.startsWith("## ")) {
                inSection = line.startsWith("## The job's metrics");
            } else if (inSection) {
                Matcher m = ROW.matcher(line);
                if (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    /** docs/METRICS.md. */
    static Path page() {
        return repositoryFile("docs/METRICS.md");
    }

    /** The file at {@code relative} in the repository (the first directory above that has it). */
    static Path repositoryFile(String relative) {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve(relative))) {
            dir = dir.getParent();
        }
        assertThat(dir).as(relative + " above the working directory").isNotNull();
        return dir.resolve(relative);
    }

    private static <IN> void oneInput(OneInputStreamOperator<IN, ?> operator,
            Consumer<Registration> names, IN first) throws Exception {
        try (var h = new OneInputStreamOperatorTestHarness<>(operator, environment(names))) {
            h.open();
            if (first != null) {
                h.processElement(first, 0L);
            }
        }
    }

    private static void keyed(OneInputStreamOperator<RoutedRecord, ?> operator,
            Consumer<Registration> names) throws Exception {
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(operator,
                (RoutedRecord r) -> r.entityId, Types.STRING, environment(names))) {
            h.open();
        }
    }

    /** A mock task environment whose metric registry hands every registration to {@code names}. */
    private static MockEnvironment environment(Consumer<Registration> names) {
        TestingMetricRegistry registry = TestingMetricRegistry.builder()
                .setRegisterConsumer((metric, name, group) -> names.accept(new Registration(name,
                        metric, group.getAllVariables().containsKey("<" + StreamMetrics.STREAM
                                + ">")))).build();
        var task = TaskManagerMetricGroup.createTaskManagerMetricGroup(registry, "localhost",
                ResourceID.generate()).addJob(new JobID(), "job")
                .addTask(ExecutionAttemptID.randomId(), "task");
        return new MockEnvironmentBuilder().setMetricGroup(task).build();
    }

    private static RoutedRecord routed(Modality m) {
        RoutedRecord r = new RoutedRecord();
        r.slot = m.index();
        r.eventId = "e-1";
        r.entityId = "u-1";
        r.sourceTopic = "fusion." + m.id();
        r.embedding = new float[] {0f, 0f};
        r.gateLogit = -5f;
        return r;
    }

    /** A batch function that hands its inputs back. */
    /** A batch function that serves a model, as routing and integration do. */
    private static final class Identity implements BatchFunction<RawRecord, RawRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public Optional<ModelServing> serving() {
            return Optional.of(new ModelServing("identity", "1.0.0", "cpu"));
        }

        @Override
        public List<RawRecord> apply(List<RawRecord> batch) {
            return List.copyOf(batch);
        }
    }

    /** A process function that registers nothing: what its operator registers is Flink's. */
    private static final class NoOp extends ProcessFunction<RawRecord, RawRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(RawRecord value, Context ctx, Collector<RawRecord> out) {
        }
    }

    /** The keyed counterpart of {@link NoOp}. */
    private static final class KeyedNoOp
            extends KeyedProcessFunction<String, RoutedRecord, RoutedRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(RoutedRecord value, Context ctx, Collector<RoutedRecord> out) {
        }
    }
}
