package dev.fusion.operators.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docker/grafana/dashboards/fusion.json queries only metrics that exist: every metric name in it
 * is one the job's operators register, as Flink's Prometheus reporter names it (derived from the
 * registrations {@link MetricsCatalogueTest} reads), or one of Flink's own that docs/METRICS.md
 * names in full in its section on Flink's metrics. A renamed metric breaks this test.
 */
class GrafanaDashboardTest {

    private static final Pattern METRIC = Pattern.compile("flink_[A-Za-z0-9_]+");

    @Test
    void everyMetricTheDashboardQueriesIsExported() throws Exception {
        Set<String> exported = new TreeSet<>();
        for (MetricsCatalogueTest.Registration r : MetricsCatalogueTest.registrations()) {
            exported.addAll(r.prometheusNames());
        }
        exported.addAll(names(flinkSection()));

        Set<String> queried = names(Files.readString(
                MetricsCatalogueTest.repositoryFile("docker/grafana/dashboards/fusion.json")));

        assertThat(queried).as("the dashboard's metrics (sanity)")
                .contains("flink_taskmanager_job_task_operator_stream_degraded",
                        "flink_taskmanager_job_task_operator_stream_meanGate");
        assertThat(exported).containsAll(queried);
    }

    /** The section of docs/METRICS.md on Flink's and the Kafka connector's own metrics. */
    private static String flinkSection() throws java.io.IOException {
        StringBuilder section = new StringBuilder();
        boolean in = false;
        for (String line : Files.readAllLines(MetricsCatalogueTest.page())) {
            if (line.startsWith("## ")) {
                in = line.startsWith("## Flink and Kafka connector metrics");
            } else if (in) {
                section.append(line).append('\n');
            }
        }
        assertThat(section).as("METRICS.md's section on Flink's metrics").isNotEmpty();
        return section.toString();
    }

    private static Set<String> names(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }
}
