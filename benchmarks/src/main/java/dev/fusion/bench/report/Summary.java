package dev.fusion.bench.report;

import dev.fusion.bench.floor.FloorResult;
import dev.fusion.bench.model.ModelBenchmark;
import dev.fusion.bench.pipeline.LatencyResult;
import dev.fusion.bench.pipeline.ThroughputResult;
import java.time.Duration;
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
        if (!report.throughput.isEmpty() || !report.floor.isEmpty()) {
            pipeline();
            againstBaseline();
        }
        if (!report.latency.isEmpty()) {
            latency(f);
        }
        if (!report.sweep.isEmpty()) {
            checkpoints();
        }
        batching();
        keySpace();
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
        if (!Double.isNaN(f.floor())) {
            row("raw floor: kafka-clients alone (consume, decode, pass through, encode, produce"
                    + " in transactions; no Flink)", f.floor(), f.a());
        }
        line("");
    }

    private void targets(Report.Figures f) {
        line("### Targets");
        line("");
        line("| target | measured | |");
        line("|---|---:|---|");
        line("| visible p99 <= " + Report.VISIBLE_P99_TARGET_MILLIS + " ms at 50% of the open-loop"
                + " maximum (exactly once, read_committed, checkpoints every "
                + Report.intervalLabel(Report.LATENCY_CHECKPOINT_INTERVAL) + ") | "
                + measured(f.visibleP99AtHalfLoad(), "%.0f ms") + " | "
                + verdict(f.visibleP99AtHalfLoad(), f.visibleP99AtHalfLoad()
                        <= Report.VISIBLE_P99_TARGET_MILLIS) + " |");
        report.bestChangelogPoint().ifPresent(best -> line("| the same with `job.state-changelog:"
                + " true` (its best interval of the sweep: " + Report.intervalLabel(best.getKey())
                + ") | " + measured(best.getValue(), "%.0f ms") + " | "
                + verdict(best.getValue(), best.getValue() <= Report.VISIBLE_P99_TARGET_MILLIS)
                + " |"));
        List<LatencyResult> unaligned = report.sweepOf(Report.unalignedChangelogLatency());
        if (!unaligned.isEmpty()) {
            double p99 = Report.median(unaligned, LatencyResult::visibleP99);
            line("| the same with `job.state-changelog: true` and `job.unaligned-checkpoints: true`"
                    + " (checkpoints every " + Report.intervalLabel(Report.LATENCY_CHECKPOINT_INTERVAL)
                    + ") | " + measured(p99, "%.0f ms") + " | "
                    + verdict(p99, p99 <= Report.VISIBLE_P99_TARGET_MILLIS) + " |");
        }
        line("| internal p99 <= max-delay + 100 ms = " + f.latencyTargetMillis()
                + " ms at 50% of the open-loop maximum (emitted_at - event_time) | "
                + measured(f.p99AtHalfLoad(), "%.0f ms") + " | "
                + verdict(f.p99AtHalfLoad(), f.p99AtHalfLoad() <= f.latencyTargetMillis()) + " |");
        for (String preset : BATCHING_PRESETS) {
            Report.Batching b = report.batching(preset);
            if (Double.isNaN(b.ratio()) || Double.isNaN(b.bound())) {
                continue;
            }
            line("| batching, " + presetLabel(preset) + ": (a)/(b) >= " + Report.BATCHING_TARGET
                    + " x (ideal at batch 64 / ideal at batch 1) = " + fmt("%.2f",
                    Report.BATCHING_TARGET * b.bound()) + " | " + fmt("%.2f", b.ratio()) + " | "
                    + met(b.met()) + " |");
        }
        line("| (a) >= 0.7 x ideal | (a) = " + fmt("%.2f", f.aOverIdeal()) + " x ideal | "
                + met(f.aOverIdeal() >= 0.7) + " |");
        if (!Double.isNaN(f.floor())) {
            line("| (d) >= " + Report.FLOOR_TARGET + " x the raw kafka-clients floor | (d) = "
                    + fmt("%.2f", f.dOverFloor()) + " x floor | "
                    + met(f.dOverFloor() >= Report.FLOOR_TARGET) + " |");
        }
        line("");
        line("Job CPU per fused output in this run: (a) " + fmt("%.1f", report.medianCpu(
                Report.SHIPPED.name())) + " us, (d) " + fmt("%.1f", report.medianCpu(
                Report.IO_CEILING.name())) + " us (the CPU target compares jars side by side:"
                + " see the document's prose).");
        line("");
    }

    /** The routing models batching is judged for: the bundled ones and the size presets. */
    private static final List<String> BATCHING_PRESETS = List.of("shipped", "small", "medium",
            "large");

    private static String presetLabel(String preset) {
        return preset.equals("shipped") ? "bundled models" : preset + " models";
    }

    private void batching() {
        List<Report.Batching> rows = BATCHING_PRESETS.stream().map(report::batching)
                .filter(b -> !Double.isNaN(b.a()) && !Double.isNaN(b.b())).toList();
        if (rows.isEmpty()) {
            return;
        }
        line("### Batching, per set of routing models");
        line("");
        line("(a) batch 64 and (b) batch 1 through the whole pipeline; (c) and (c1) the"
                + " model-only chain at batch 64 and 1 (JMH, 2 threads); (d) the I/O ceiling."
                + " Batching shortens only the inference part of an output's cost, so (a)/(b) can"
                + " reach at most the ratio of the two ideals, 1/(1/c+1/d) over 1/(1/c1+1/d); the"
                + " target is " + Report.BATCHING_TARGET + " of that.");
        line("");
        line("| models | (a) fused/s | (b) fused/s | (c) batch 64 | (c1) batch 1 | (a)/(b) |"
                + " ideal ratio | (a)/(b) / ideal ratio | |");
        line("|---|---:|---:|---:|---:|---:|---:|---:|---|");
        for (Report.Batching b : rows) {
            line("| " + presetLabel(b.preset()) + " | " + fmt("%,.0f", b.a()) + " | "
                    + fmt("%,.0f", b.b()) + " | " + fmt("%,.0f", b.c()) + " | "
                    + fmt("%,.0f", b.c1()) + " | " + fmt("%.2f", b.ratio()) + " | "
                    + fmt("%.2f", b.bound()) + " | " + fmt("%.2f", b.ratio() / b.bound()) + " | "
                    + (Double.isNaN(b.bound()) ? "" : met(b.met())) + " |");
        }
        line("");
    }

    private void checkpoints() {
        line("### Checkpoint interval: visible latency against throughput");
        line("");
        line("The latency configuration at " + fmt("%.0f%%", 100 * Report.SWEEP_LOAD) + " of the"
                + " open-loop maximum (" + fmt("%,.0f", Report.SWEEP_LOAD
                * report.openLoopMaximum()) + " events/s), checkpoint interval varied; bounded"
                + " fused/s: the same configuration draining the preloaded backlog. With"
                + " exactly-once sinks a fused record is visible once the checkpoint after it"
                + " completes; at least once, as soon as the producer sends it (a reader must"
                + " then drop the duplicates a restart replays).");
        line("");
        line("| sinks | checkpoint interval | bounded fused/s | checkpoints: median / max ms |"
                + " internal p50 / p99 ms | visible p50 / p99 / p99.9 ms | job CPU us/fused |");
        line("|---|---:|---:|---:|---:|---:|---:|");
        for (Duration interval : report.sweepIntervals(false)) {
            sweepRow("exactly once", interval, report.sweepAt(interval, true),
                    Report.checkpointThroughput(interval).name());
        }
        for (Duration interval : report.sweepIntervals(true)) {
            sweepRow("exactly once, changelog", interval,
                    report.sweepAt(interval, true, true, true),
                    Report.changelogThroughput(interval).name());
        }
        sweepRow("exactly once, changelog, unaligned", Report.LATENCY_CHECKPOINT_INTERVAL,
                report.sweepOf(Report.unalignedChangelogLatency()), null);
        sweepRow("at least once", Report.LATENCY_CHECKPOINT_INTERVAL,
                report.sweepAt(Report.LATENCY_CHECKPOINT_INTERVAL, false), null);
        sweepRow("exactly once, no duplicate detection", Report.LATENCY_CHECKPOINT_INTERVAL,
                report.sweepAt(Report.LATENCY_CHECKPOINT_INTERVAL, true, false, false), null);
        line("");
        line("\"Changelog\" rows set `job.state-changelog: true`: each checkpoint writes only the"
                + " state changed since the last one; \"unaligned\" adds"
                + " `job.unaligned-checkpoints: true`: barriers overtake the records buffered"
                + " between tasks. The last row sets"
                + " `align.duplicate-horizon: 0`: the event ids alignment remembers to recognise"
                + " duplicates are most of the job's state (the input rate times the horizon, 1 min"
                + " by default), and the hash-map backend writes all of it at every checkpoint.");
        line("");
    }

    /** One row of the sweep; {@code boundedRun}: the bounded run's name, or null if none. */
    private void sweepRow(String sinks, Duration interval, List<LatencyResult> at,
            String boundedRun) {
        if (at.isEmpty()) {
            return;
        }
        double bounded = boundedRun == null ? Double.NaN : report.medianFusedPerSecond(boundedRun);
        line("| " + sinks + " | " + Report.intervalLabel(interval) + " | " + fmt("%,.0f", bounded)
                + " | " + fmt("%.0f", Report.median(at, r -> r.checkpoints().medianMillis()))
                + " / " + fmt("%.0f", Report.median(at, r -> r.checkpoints().maxMillis()))
                + " | " + fmt("%.0f", Report.median(at, LatencyResult::internalP50)) + " / "
                + fmt("%.0f", Report.median(at, LatencyResult::internalP99)) + " | "
                + fmt("%.0f", Report.median(at, LatencyResult::visibleP50)) + " / "
                + fmt("%.0f", Report.median(at, LatencyResult::visibleP99)) + " / "
                + fmt("%.0f", Report.median(at, LatencyResult::visibleP999)) + " | "
                + fmt("%.1f", Report.median(at, LatencyResult::cpuMicrosPerFused)) + " |");
    }

    private void keySpace() {
        List<Integer> counts = report.keySpaces();
        if (counts.isEmpty()) {
            return;
        }
        line("### Key space");
        line("");
        line("As shipped (window alignment), over workloads of 1,000 samples per 1 s window whose"
                + " samples take turns among N entities: an entity comes back every N / 1,000"
                + " windows (with a million, never within a run of this length). State: the"
                + " largest completed checkpoint (the hash-map backend snapshots all of it).");
        line("");
        line("| entities | input events | fused/s | job CPU us/fused | peak checkpointed state MB"
                + " | peak heap MB | output |");
        line("|---:|---:|---:|---:|---:|---:|---|");
        for (int n : counts) {
            List<ThroughputResult> runs = report.runs(Report.keySpace(n).name());
            line("| " + fmt("%,d", n) + " | " + fmt("%,d", runs.get(0).inputEvents()) + " | "
                    + fmt("%,.0f", Report.median(runs, ThroughputResult::fusedPerSecond)) + " | "
                    + fmt("%.1f", Report.median(runs, ThroughputResult::cpuMicrosPerFused)) + " | "
                    + fmt("%.1f", Report.median(runs, r -> r.checkpoints().peakStateMegabytes()))
                    + " | "
                    + fmt("%.0f", Report.median(runs, r -> r.peakHeapBytes() / 1048576.0)) + " | "
                    + (runs.stream().allMatch(ThroughputResult::exact) ? "exact (" + runs.size()
                            + " trials)" : "MISMATCH") + " |");
        }
        line("");
    }

    private static String measured(double value, String format) {
        return Double.isNaN(value) ? "not measured" : fmt(format, value);
    }

    private static String verdict(double value, boolean met) {
        return Double.isNaN(value) ? "" : met(met);
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
        List<FloorResult> floor = report.floor;
        if (!floor.isEmpty()) {
            line("| " + Report.RAW_FLOOR_SPEC.name() + " (no Flink) | " + fmt("%,d",
                    floor.get(0).inputRecords()) + " | "
                    + fmt("%,.0f", Report.median(floor, FloorResult::fusedPerSecond)) + " ("
                    + fmt("%,.0f", Report.min(floor, FloorResult::fusedPerSecond)) + "-"
                    + fmt("%,.0f", Report.max(floor, FloorResult::fusedPerSecond)) + ") | "
                    + fmt("%.1f", Report.median(floor, FloorResult::cpuMicrosPerFused)) + " | "
                    + fmt("%.1f", Report.median(floor, FloorResult::brokerCpuMicrosPerFused))
                    + " | " + fmt("%.0f", Report.median(floor, r -> r.peakHeapBytes()
                            / 1048576.0)) + " | "
                    + fmt("%.0f", Report.median(floor, r -> r.vmHwmKb() / 1024.0)) + " | "
                    + (floor.stream().allMatch(FloorResult::exact) ? "exact (" + floor.size()
                            + " trials)" : "MISMATCH") + " |");
        }
        line("");
    }

    private void againstBaseline() {
        List<String> compared = report.comparedWithBaseline();
        if (compared.isEmpty()) {
            return;
        }
        line("### Against the baseline");
        line("");
        line("Every trial ran this checkout's job and the baseline's (`--baseline`, rows CONFIG"
                + Report.BASELINE_SUFFIX + " above) over the same workload, in turns. Medians of"
                + " the trials; a CPU ratio below 1 is less CPU per output than the baseline's.");
        line("");
        line("| configuration | fused/s: this / baseline | ratio | job CPU us/fused: this /"
                + " baseline | ratio |");
        line("|---|---:|---:|---:|---:|");
        for (String name : compared) {
            String twin = name + Report.BASELINE_SUFFIX;
            double fused = report.medianFusedPerSecond(name);
            double fusedBase = report.medianFusedPerSecond(twin);
            double cpu = report.medianCpu(name);
            double cpuBase = report.medianCpu(twin);
            line("| " + name + " | " + fmt("%,.0f", fused) + " / " + fmt("%,.0f", fusedBase)
                    + " | " + fmt("%.2f", fused / fusedBase) + " | " + fmt("%.1f", cpu) + " / "
                    + fmt("%.1f", cpuBase) + " | " + fmt("%.2f", cpu / cpuBase) + " |");
        }
        line("");
    }

    private void latency(Report.Figures f) {
        line("### Latency");
        line("");
        line("Open-loop load (event time = scheduled send time), latest alignment (every record"
                + " triggers a fusion),"
                + " watermarks with 0 ms out-of-orderness every 10 ms, checkpoints every "
                + Report.intervalLabel(Report.LATENCY_CHECKPOINT_INTERVAL) + "."
                + " Internal ="
                + " emitted_at - event_time, what the job itself adds; visible = when a"
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
                Charts.CHECKPOINTS, Charts.SCALING, Charts.KEYSPACE)) {
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
