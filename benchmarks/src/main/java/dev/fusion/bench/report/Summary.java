package dev.fusion.bench.report;

import dev.fusion.bench.model.ModelBenchmark;
import dev.fusion.bench.pipeline.LatencyResult;
import dev.fusion.bench.pipeline.ThroughputResult;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** The Markdown summary of a run: side by side, targets, every configuration, latency, scaling. */
final class Summary {

    private final Report report;
    private final StringBuilder md = new StringBuilder();

    Summary(Report report) {
        this.report = report;
    }

    String markdown() {
        return markdown("");
    }

    /** The summary, with charts linked under {@code chartPrefix} (empty: beside the summary). */
    String markdown(String chartPrefix) {
        md.setLength(0);
        Report.Figures f = report.figures();
        line("## Figures of the latest run");
        line("");
        line("Run of " + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"))
                + ", `./fusion bench`"
                + " (" + report.settings + "); wall time " + fmt("%.1f", report.wallSeconds / 60)
                        + " min.");
        line("");
        line("Machine: " + report.machine + "; load average " + fmt("%.2f", report.loadAtStart)
                + " at start, " + fmt("%.2f", Report.loadAverage()) + " at the end.");
        line("");
        if (!Double.isNaN(f.a())) {
            sideBySide(f);
            targets(f);
        }
        if (!report.throughput.isEmpty()) {
            pipeline();
        }
        if (!report.latency.isEmpty()) {
            latency(f);
        }
        if (!report.models.isEmpty()) {
            models();
        }
        scaling();
        charts(chartPrefix);
        return md.toString();
    }

    private void sideBySide(Report.Figures f) {
        line("### Side by side");
        line("");
        line("One fused output = one text, one audio and one image record routed, aligned (1 s"
                + " tumbling windows)" + " and fused. Medians of the trials.");
        line("");
        line("| | fused outputs/s | relative to (a) |");
        line("|---|---:|---:|");
        row("(a) the pipeline as shipped (batch 64, max delay 20 ms, parallelism 2)", f.a(), f.a());
        row("(b) the same with batch size 1 (a per-record map function)", f.b(), f.a());
        row("(c) model-only ceiling: the chain at batch 64, 2 threads (JMH)", f.c(), f.a());
        row("(c) at batch size 1, for comparison", f.c1(), f.a());
        row("(d) I/O ceiling: the job with a pass-through instead of inference", f.d(), f.a());
        row("ideal 1 / (1/c + 1/d)", f.ideal(), f.a());
        line("");
    }

    private void targets(Report.Figures f) {
        line("### Targets");
        line("");
        line("| target | measured | |");
        line("|---|---:|---|");
        line("| (a) >= 5 x (b) | (a) = " + fmt("%.2f", f.aOverB()) + " x (b); the two ideals are "
                + fmt("%.2f", f.batchingBound()) + " x apart with these models (see below) | "
                + met(f.aOverB() >= 5) + " |");
        line("| (a) >= 0.7 x ideal | (a) = " + fmt("%.2f", f.aOverIdeal()) + " x ideal | "
                + met(f.aOverIdeal() >= 0.7) + " |");
        line("| p99 <= max-delay + 100 ms = " + f.latencyTargetMillis()
                + " ms at 50% of the open-loop maximum (job-internal:"
                + " emitted_at - event_time) | " + (Double.isNaN(f.p99AtHalfLoad()) ? "not measured"
                : fmt("%.0f", f.p99AtHalfLoad()) + " ms") + " | "
                + (Double.isNaN(f.p99AtHalfLoad()) ? ""
                        : met(f.p99AtHalfLoad() <= f.latencyTargetMillis())) + " |");
        line("");
        line("Batching shortens only the inference part of each output's cost. With inference"
                + " and I/O costing nothing beyond their own work, batch size 1 would give"
                + " 1 / (1/c1 + 1/d) = " + fmt("%,.0f", f.idealBatch1()) + " fused/s and batch 64"
                + " the ideal " + fmt("%,.0f", f.ideal()) + ": " + fmt("%.2f", f.batchingBound())
                + " x apart on this machine with these models. (a)/(b)"
                + " can exceed that only where (b) falls further short of its own ideal ("
                + fmt("%.2f", f.b() / f.idealBatch1()) + " of it here) than (a) does ("
                + fmt("%.2f", f.aOverIdeal()) + "); 5 x needs inference to dominate what a record"
                + " costs.");
        line("");
    }

    private void pipeline() {
        line("### Pipeline runs");
        line("");
        line("Bounded runs over the preloaded workload, each in a JVM of its own that first runs"
                + " the same job, unmeasured, over other events (JIT warm-up). fused/s: from one"
                + " second after the first output to the last. Job CPU: the job JVM's CPU time"
                + " over the same span; broker: the harness JVM (embedded broker) over the whole"
                + " run. Heap: sum of the heap pools' peaks; RSS: VmHWM (warm-up included).");
        line("");
        line("| configuration | input events | fused/s (median, min-max) | job CPU us/fused |"
                + " broker CPU us/fused" + " | peak heap MB | peak RSS MB | output |");
        line("|---|---:|---:|---:|---:|---:|---:|---|");
        for (String name : report.configurations()) {
            List<ThroughputResult> runs = report.runs(name);
            boolean exact = runs.stream().allMatch(ThroughputResult::exact);
            line("| " + name + " | " + fmt("%,d", runs.get(0).inputEvents()) + " | "
                    + fmt("%,.0f", Report.median(runs, ThroughputResult::fusedPerSecond)) + " ("
                    + fmt("%,.0f", Report.min(runs, ThroughputResult::fusedPerSecond)) + "-"
                    + fmt("%,.0f", Report.max(runs, ThroughputResult::fusedPerSecond)) + ") | "
                    + fmt("%.1f", Report.median(runs, ThroughputResult::cpuMicrosPerFused)) + " | "
                    + fmt("%.1f", Report.median(runs, ThroughputResult::brokerCpuMicrosPerFused))
                            + " | "
                    + fmt("%.0f", Report.median(runs, r -> r.peakHeapBytes() / 1048576.0)) + " | "
                    + fmt("%.0f", Report.median(runs, r -> r.vmHwmKb() / 1024.0)) + " | "
                    + (exact ? "exact (" + runs.size() + " trials)" : "MISMATCH") + " |");
        }
        line("");
    }

    private void latency(Report.Figures f) {
        line("### Latency");
        line("");
        line("Open-loop load (event time = scheduled send time), latest alignment (every record"
                + " triggers a fusion),"
                + " watermarks with 0 ms out-of-orderness every 10 ms, checkpoints every 1 s."
                + " Internal ="
                + " emitted_at - event_time (the target is judged on it); visible = when a"
                + " read_committed consumer"
                + " receives the record, which adds the wait for the checkpoint that commits it.");
        line("");
        if (!report.calibration.isEmpty()) {
            StringBuilder runs = new StringBuilder();
            for (LatencyResult c : report.calibration) {
                runs.append(runs.length() == 0 ? "" : "; ").append("offered ")
                        .append(fmt("%,.0f", c.targetEventsPerSecond())).append(" events/s (")
                        .append(fmt("%.0f%%", 100 * c.loadFraction())).append("), emitted ")
                        .append(fmt("%,.0f", c.emittedPerSecond())).append(" fused/s");
            }
            line("Loads are fractions of the open-loop maximum, " + fmt("%,.0f",
                    report.openLoopMaximum()) + " events/s: the most fused outputs per second the"
                    + " job emitted when offered more than it could take, with the load generator"
                    + " and the broker sharing the machine with it as in every latency run ("
                    + runs + "; percentages of the bounded maximum of the same configuration, "
                    + fmt("%,.0f", report.boundedLatencyMaximum) + " events/s).");
            line("");
        }
        line("| load | events/s (target / sent) | internal p50 / p99 / p99.9 ms | visible p50 /"
                + " p99 / p99.9 ms"
                + " | job CPU us/fused | peak heap MB | peak RSS MB | fusions seen / expected |");
        line("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (double load : report.loads()) {
            List<LatencyResult> at = report.latencyAt(load);
            line("| " + fmt("%.0f%%", 100 * load) + " | " + fmt("%,.0f", Report.median(at,
                    LatencyResult::targetEventsPerSecond)) + " / " + fmt("%,.0f", Report.median(at,
                    LatencyResult::sentEventsPerSecond)) + " | "
                    + fmt("%.0f", Report.median(at, LatencyResult::internalP50)) + " / "
                    + fmt("%.0f", Report.median(at, LatencyResult::internalP99)) + " / "
                    + fmt("%.0f", Report.median(at, LatencyResult::internalP999)) + " | "
                    + fmt("%.0f", Report.median(at, LatencyResult::visibleP50)) + " / "
                    + fmt("%.0f", Report.median(at, LatencyResult::visibleP99)) + " / "
                    + fmt("%.0f", Report.median(at, LatencyResult::visibleP999)) + " | "
                    + fmt("%.1f", Report.median(at, LatencyResult::cpuMicrosPerFused)) + " | "
                    + fmt("%.0f", Report.median(at, r -> r.peakHeapBytes() / 1048576.0)) + " | "
                    + fmt("%.0f", Report.median(at, r -> r.vmHwmKb() / 1024.0)) + " | "
                    + fmt("%,.0f", Report.median(at, LatencyResult::fusedInWindow)) + " / "
                    + fmt("%,.0f", Report.median(at, LatencyResult::expectedInWindow)) + " |");
        }
        line("");
    }

    private void models() {
        line("### Model-only ceiling (JMH)");
        line("");
        line("Rows per second of one model call on a batch, single-threaded (ONNX Runtime CPU, 1"
                + " intra-op and 1"
                + " inter-op thread, as the job runs it); the chain is one fused output's work."
                + " Median of the" + " measurement iterations, one fork per point.");
        line("");
        List<Integer> batches = report.models.stream().filter(p -> p.threads() == 1
                && p.preset().equals("shipped")).map(p -> p.batch()).distinct().sorted().toList();
        StringBuilder header = new StringBuilder("| model |");
        StringBuilder rule = new StringBuilder("|---|");
        for (int b : batches) {
            header.append(" batch ").append(b).append(" |");
            rule.append("---:|");
        }
        line(header.toString());
        line(rule.toString());
        for (String model : List.of(ModelBenchmark.TEXT, ModelBenchmark.AUDIO, ModelBenchmark.IMAGE,
                ModelBenchmark.INTEGRATION, ModelBenchmark.CHAIN)) {
            StringBuilder row = new StringBuilder("| " + model + " |");
            for (int b : batches) {
                row.append(' ').append(fmt("%,.0f", report.model(model, b))).append(" |");
            }
            line(row.toString());
        }
        line("");
        line("The chain at the job's thread settings (2 calling threads): " + fmt("%,.0f",
                report.chain("shipped", 64, 2))
                + " fused outputs/s at batch 64, " + fmt("%,.0f", report.chain("shipped", 1, 2))
                        + " at batch 1.");
        line("");
    }

    private void scaling() {
        double p1 = report.medianFusedPerSecond(Report.PARALLELISM1.name());
        boolean presets = report.configurations().stream().anyMatch(c -> c.startsWith("preset-"));
        if (Double.isNaN(p1) && !presets) {
            return;
        }
        double d = report.medianFusedPerSecond(Report.IO_CEILING.name());
        line("### Scaling");
        line("");
        line("| configuration | pipeline fused/s | model-only chain fused/s | ideal 1/(1/c+1/d)"
                + " | pipeline / ideal |");
        line("|---|---:|---:|---:|---:|");
        scalingRow("parallelism 1", p1, report.chain("shipped", 64, 1), Double.NaN);
        scalingRow("parallelism 2 (as shipped)", report.medianFusedPerSecond(Report.SHIPPED.name()),
                report.chain("shipped", 64, 2), d);
        for (String preset : List.of("small", "medium", "large")) {
            scalingRow(preset + " routing models (random weights)",
                    report.medianFusedPerSecond("preset-" + preset),
                    report.chain(preset, 64, 2), d);
        }
        line("");
    }

    private void scalingRow(String label, double pipeline, double chain, double d) {
        if (Double.isNaN(pipeline)) {
            return;
        }
        double ideal = 1 / (1 / chain + 1 / d);
        line("| " + label + " | " + fmt("%,.0f", pipeline) + " | " + fmt("%,.0f", chain) + " | "
                + fmt("%,.0f", ideal) + " | " + fmt("%.2f", pipeline / ideal) + " |");
    }

    private void charts(String prefix) {
        line("### Charts");
        line("");
        for (String chart : List.of(Charts.PIPELINE, Charts.MODELS, Charts.LATENCY,
                Charts.SCALING)) {
            line("![" + chart.replace(".svg", "") + "](" + prefix + chart + ")");
        }
        line("");
    }

    private void row(String label, double value, double a) {
        line("| " + label + " | " + fmt("%,.0f", value) + " | " + fmt("%.2f", value / a) + " |");
    }

    private static String met(boolean met) {
        return met ? "met" : "**missed**";
    }

    private static String fmt(String format, Object value) {
        if (value instanceof Double d && d.isNaN()) {
            return "n/a";
        }
        return String.format(Locale.ROOT, format, value);
    }

    private void line(String s) {
        md.append(s).append('\n');
    }
}
