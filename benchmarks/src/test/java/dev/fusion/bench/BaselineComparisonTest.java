package dev.fusion.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusion.bench.pipeline.CheckpointLog;
import dev.fusion.bench.pipeline.RunSpec;
import dev.fusion.bench.pipeline.ThroughputResult;
import dev.fusion.bench.report.Report;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --baseline DIR} runs every bounded configuration with another checkout's job too: the
 * option takes only a checkout whose benchmarks are built, and the summary sets the two side by
 * side.
 */
class BaselineComparisonTest {

    @Test
    void aBuiltCheckoutGivesItsBenchmarksJarAndTheDependenciesItsBuildListed(@TempDir Path dir)
            throws Exception {
        Path target = Files.createDirectories(dir.resolve("benchmarks").resolve("target"));
        Files.writeString(target.resolve("classpath.txt"), "/m2/a.jar:/m2/b.jar\n");
        Files.writeString(target.resolve("fusion-benchmarks-0.1.0-SNAPSHOT-tests.jar"), "");
        Files.writeString(target.resolve("fusion-benchmarks-0.1.0-SNAPSHOT.jar"), "");

        BenchSettings s = BenchSettings.parse(new String[] {"--baseline", dir.toString()});

        assertThat(s.baselineClassPath).isEqualTo(target.resolve(
                "fusion-benchmarks-0.1.0-SNAPSHOT.jar").toAbsolutePath() + File.pathSeparator
                + "/m2/a.jar:/m2/b.jar");
        assertThat(s.toString()).endsWith(", against the baseline " + dir);
        assertThat(BenchSettings.parse(new String[0]).baselineClassPath).isNull();
    }

    @Test
    void aCheckoutWithoutBuiltBenchmarksIsRefusedNamingTheOptionAndTheBuild(@TempDir Path dir) {
        assertThatThrownBy(() -> BenchSettings.parse(new String[] {"--baseline", dir.toString()}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("bench: --baseline " + dir + " has no built benchmarks")
                .hasMessageContaining("./fusion bench --baseline builds them");
    }

    @Test
    void theSummaryComparesEachConfigurationWithItsBaselineTwin() {
        Report report = new Report("settings", "machine");
        RunSpec twin = Report.SHIPPED.named(Report.SHIPPED.name() + Report.BASELINE_SUFFIX);
        for (int trial = 1; trial <= 3; trial++) {
            report.throughput(result(Report.SHIPPED, trial, 30_000 + trial, 40 + trial));
            report.throughput(result(twin, trial, 20_000 + trial, 80 + trial));
        }
        // A configuration without a twin is not compared.
        report.throughput(result(Report.IO_CEILING, 1, 50_000, 30));

        String summary = report.summaryMarkdown();

        assertThat(summary).contains("### Against the baseline")
                .contains("| shipped | 30,002 / 20,002 | 1.50 | 42.0 / 82.0 | 0.51 |")
                .doesNotContain("| io-ceiling | 50,000 /")
                .contains("| shipped-baseline | 300,000 | 20,002 (20,001-20,003) | 82.0 |");
        assertThat(new Report("settings", "machine").summaryMarkdown())
                .doesNotContain("Against the baseline");
    }

    private static ThroughputResult result(RunSpec spec, int trial, double fusedPerSecond,
            double cpuMicros) {
        return new ThroughputResult(spec, trial, 300_000, 100_000, 100_000, 0, 0, fusedPerSecond,
                6, cpuMicros, 30, 1L << 30, 2 << 20, 1.0, CheckpointLog.NONE);
    }
}
