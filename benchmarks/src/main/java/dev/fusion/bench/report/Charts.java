package dev.fusion.bench.report;

import dev.fusion.bench.model.ModelCeiling;
import dev.fusion.bench.pipeline.LatencyResult;
import dev.fusion.bench.pipeline.ThroughputResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The run's charts: model ceilings, the side-by-side comparison, latency, scaling. */
final class Charts {

    static final String MODELS = "models.svg";
    static final String PIPELINE = "pipeline.svg";
    static final String LATENCY = "latency.svg";
    static final String SCALING = "scaling.svg";
    static final String CHECKPOINTS = "checkpoints.svg";
    static final String KEYSPACE = "keyspace.svg";

    private Charts() {
    }

    /** Writes the charts there is data for; returns their paths. */
    static List<Path> write(Path dir, Report report) throws IOException {
        List<Path> written = new ArrayList<>();
        if (!report.models.isEmpty()) {
            SvgChart chart = new SvgChart("Model-only throughput (ONNX Runtime Java, 1 thread)",
                    "batch size", "rows per second (chain: fused outputs)");
            for (ModelCeiling.Point p : report.models) {
                if (p.preset().equals("shipped") && p.threads() == 1) {
                    chart.point(p.model(), p.batch(), p.rowsPerSecond());
                }
            }
            written.add(write(dir, MODELS, chart.lines(true, true)));
        }
        Report.Figures f = report.figures();
        if (!Double.isNaN(f.a())) {
            SvgChart chart = new SvgChart("Side by side: fused outputs per second", "",
                    "fused outputs per second");
            List<String> categories = List.of("(a) as shipped", "(b) batch 1", "(c) models only",
                    "(d) I/O only", "ideal 1/(1/c+1/d)", "raw floor (no Flink)");
            double[] values = {f.a(), f.b(), f.c(), f.d(), f.ideal(), f.floor()};
            for (int i = 0; i < values.length; i++) {
                if (!Double.isNaN(values[i])) {
                    chart.point("fused outputs/s", i, values[i]);
                }
            }
            written.add(write(dir, PIPELINE, chart.bars(categories, true)));
        }
        if (!report.latency.isEmpty()) {
            SvgChart chart = new SvgChart("Latency against load (latest alignment)",
                    "load (% of the open-loop maximum)", "latency (ms)");
            for (double load : report.loads()) {
                List<LatencyResult> at = report.latencyAt(load);
                double x = 100 * load;
                chart.point("internal p50", x, Report.median(at, LatencyResult::internalP50));
                chart.point("internal p99", x, Report.median(at, LatencyResult::internalP99));
                chart.point("internal p99.9", x, Report.median(at, LatencyResult::internalP999));
                chart.point("visible p50", x, Report.median(at, LatencyResult::visibleP50));
                chart.point("visible p99", x, Report.median(at, LatencyResult::visibleP99));
                chart.point("target p99 (internal)", x, f.latencyTargetMillis());
                chart.point("target p99 (visible)", x, Report.VISIBLE_P99_TARGET_MILLIS);
            }
            written.add(write(dir, LATENCY, chart.lines(false, true)));
        }
        if (!report.sweep.isEmpty()) {
            written.add(write(dir, CHECKPOINTS, checkpoints(report)));
        }
        if (!report.keySpaces().isEmpty()) {
            written.add(write(dir, KEYSPACE, keySpace(report)));
        }
        List<String> categories = new ArrayList<>();
        List<double[]> bars = new ArrayList<>();
        addScaling(report, categories, bars, "parallelism 1", Report.PARALLELISM1.name(),
                report.chain("shipped", 64, 1));
        addScaling(report, categories, bars, "parallelism 2", Report.SHIPPED.name(),
                report.chain("shipped", 64, 2));
        for (String preset : List.of("small", "medium", "large")) {
            addScaling(report, categories, bars, preset + " models",
                    Report.preset(preset, null, 64).name(),
                    report.chain(preset, 64, 2));
        }
        if (!categories.isEmpty()) {
            SvgChart chart = new SvgChart("Scaling: parallelism and routing-model size", "",
                    "fused outputs per second");
            for (int i = 0; i < bars.size(); i++) {
                chart.point("pipeline", i, bars.get(i)[0]);
                if (!Double.isNaN(bars.get(i)[1])) {
                    chart.point("models only (chain)", i, bars.get(i)[1]);
                }
            }
            written.add(write(dir, SCALING, chart.bars(categories, true)));
        }
        return written;
    }

    /**
     * Visible and internal latency (ms) and bounded throughput (thousands of fused/s, on the same
     * logarithmic axis) against the checkpoint interval.
     */
    private static String checkpoints(Report report) {
        SvgChart chart = new SvgChart("Checkpoint interval: latency and throughput (exactly once)",
                "checkpoint interval (ms)", "latency (ms); throughput (1,000 fused/s)");
        for (Duration interval : report.sweepIntervals(true)) {
            List<LatencyResult> at = report.sweepAt(interval, true, true, true);
            double x = interval.toMillis();
            chart.point("visible p99, changelog", x, Report.median(at, LatencyResult::visibleP99));
            double bounded = report.medianFusedPerSecond(
                    Report.changelogThroughput(interval).name());
            if (!Double.isNaN(bounded)) {
                chart.point("bounded fused/s (x 1,000), changelog", x, bounded / 1000);
            }
        }
        for (Duration interval : report.sweepIntervals(false)) {
            List<LatencyResult> at = report.sweepAt(interval, true);
            double x = interval.toMillis();
            chart.point("visible p50", x, Report.median(at, LatencyResult::visibleP50));
            chart.point("visible p99", x, Report.median(at, LatencyResult::visibleP99));
            chart.point("internal p99", x, Report.median(at, LatencyResult::internalP99));
            chart.point("target: visible p99", x, Report.VISIBLE_P99_TARGET_MILLIS);
            double bounded = report.medianFusedPerSecond(
                    Report.checkpointThroughput(interval).name());
            if (!Double.isNaN(bounded)) {
                chart.point("bounded fused/s (x 1,000)", x, bounded / 1000);
            }
        }
        return chart.lines(true, true);
    }

    /** Fused outputs per second and job CPU per output against the number of entities. */
    private static String keySpace(Report report) {
        SvgChart chart = new SvgChart("Key space: as shipped, 1,000 samples per window",
                "entities", "fused/s (x 1,000); CPU us per fused; state MB");
        for (int n : report.keySpaces()) {
            List<ThroughputResult> runs = report.runs(Report.keySpace(n).name());
            chart.point("fused/s (x 1,000)", n,
                    Report.median(runs, ThroughputResult::fusedPerSecond) / 1000);
            chart.point("job CPU us per fused", n,
                    Report.median(runs, ThroughputResult::cpuMicrosPerFused));
            chart.point("peak checkpointed state MB", n,
                    Report.median(runs, r -> r.checkpoints().peakStateMegabytes()));
        }
        return chart.lines(true, true);
    }

    private static void addScaling(Report report, List<String> categories, List<double[]> bars,
            String label, String config, double ceiling) {
        double pipeline = report.medianFusedPerSecond(config);
        if (!Double.isNaN(pipeline)) {
            categories.add(label);
            bars.add(new double[] {pipeline, ceiling});
        }
    }

    private static Path write(Path dir, String name, String svg) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, svg);
        return file;
    }
}
