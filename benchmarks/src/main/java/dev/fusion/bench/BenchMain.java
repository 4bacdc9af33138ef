package dev.fusion.bench;

import dev.fusion.bench.floor.FloorResult;
import dev.fusion.bench.floor.RawFloorRun;
import dev.fusion.bench.model.ModelBenchmark;
import dev.fusion.bench.model.ModelCeiling;
import dev.fusion.bench.pipeline.LatencyResult;
import dev.fusion.bench.pipeline.LatencyRun;
import dev.fusion.bench.pipeline.PipelineHarness;
import dev.fusion.bench.pipeline.RunSpec;
import dev.fusion.bench.pipeline.ThroughputResult;
import dev.fusion.bench.pipeline.Workload;
import dev.fusion.bench.report.Report;
import dev.fusion.jobs.config.FusionOptions;
import dev.fusion.jobs.embedded.EmbeddedKafkaBroker;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./fusion bench}: the model-only ceiling (JMH), then the pipeline against a preloaded
 * embedded broker (as shipped, batch size 1, the I/O ceiling, parallelism and model-size scaling),
 * then open-loop latency; writes a CSV, charts and a summary per run, and the latest figures into
 * docs/PERFORMANCE.md.
 */
public final class BenchMain {

    /** The job's defaults, which "as shipped" means. */
    static final int JOB_PARALLELISM = 2;
    static final int JOB_BATCH = 64;
    static final List<String> PRESETS = List.of("small", "medium", "large");
    static final Path PRESETS_DIR = Path.of("benchmarks", "models");

    private BenchMain() {
    }

    public static void main(String[] argv) {
        try {
            BenchSettings settings = BenchSettings.parse(argv);
            if (settings.help) {
                System.out.print(BenchSettings.USAGE);
                System.exit(0);
            }
            run(settings, System.out);
            System.exit(0);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        } catch (Exception e) {
            System.err.println("bench failed: " + e);
            e.printStackTrace(System.err);
            System.exit(1);
        }
    }

    static void run(BenchSettings s, PrintStream out) throws Exception {
        long started = System.nanoTime();
        Path dir = s.out != null ? s.out : Path.of("benchmarks", "results",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(dir);
        Report report = new Report(s, Machine.describe());
        out.println("bench: " + s);
        out.println("bench: " + report.machine());
        out.println("bench: results in " + dir.toAbsolutePath());

        if (s.runs("models")) {
            models(s, report, out);
        }
        if (List.of("pipeline", "scaling", "latency", "checkpoints", "keyspace").stream()
                .anyMatch(s::runs) || runsLatestBounded(s)) {
            try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
                pipeline(s, report, broker.bootstrapServers(), dir, out);
            }
        }
        report.wallSeconds((System.nanoTime() - started) / 1e9);
        report.write(dir, s.docs);
        out.println();
        out.print(report.summaryMarkdown());
        out.printf(Locale.ROOT, "bench: done in %.1f min; results in %s%n",
                report.wallSeconds() / 60, dir.toAbsolutePath());
    }

    private static void models(BenchSettings s, Report report, PrintStream out) throws Exception {
        int iteration = (int) s.jmhTime.toMillis();
        ModelCeiling ceiling = new ModelCeiling(new ModelCeiling.Timing(2, iteration / 2,
                s.jmhIterations, iteration), s.device);
        out.println("bench: model-only ceiling (JMH, one fork per point)");
        List<ModelCeiling.Point> points = new ArrayList<>();
        List<String> all = List.of(ModelBenchmark.TEXT, ModelBenchmark.AUDIO, ModelBenchmark.IMAGE,
                ModelBenchmark.INTEGRATION, ModelBenchmark.CHAIN);
        points.addAll(ceiling.measure(all, BenchSettings.JMH_BATCHES, 1, null, "shipped"));
        points.addAll(ceiling.measure(List.of(ModelBenchmark.CHAIN), List.of(1, JOB_BATCH),
                JOB_PARALLELISM, null, "shipped"));
        if (s.runs("scaling")) {
            for (String preset : PRESETS) {
                String dir = PRESETS_DIR.resolve(preset).toAbsolutePath().toString();
                points.addAll(ceiling.measure(List.of(ModelBenchmark.CHAIN), List.of(1, JOB_BATCH),
                        JOB_PARALLELISM, dir, preset));
            }
        }
        for (ModelCeiling.Point p : points) {
            out.printf(Locale.ROOT, "  %-16s %-8s batch %4d threads %d: %,12.0f rows/s%n",
                    p.model(), p.preset(), p.batch(), p.threads(), p.rowsPerSecond());
        }
        report.models(points);
    }

    private static void pipeline(BenchSettings s, Report report, String bootstrap, Path dir,
            PrintStream out) throws Exception {
        long t0 = System.nanoTime();
        Workload workload = Workload.preload(bootstrap, "bench", s.events / 3, s.entities,
                s.entities, 2, 1000, 42);
        out.printf(Locale.ROOT, "bench: preloaded %,d events (%,d samples, %d entities) in %.1f s%n",
                workload.events(), workload.samples(), workload.entities(),
                (System.nanoTime() - t0) / 1e9);
        List<String> jvmOptions = List.of("-Xmx4g", "-XX:MaxDirectMemorySize=1g");
        PipelineHarness harness = new PipelineHarness(bootstrap, dir.resolve("runs"), jvmOptions,
                s.warmupEvents / 3, s.profile, s.device);
        PipelineHarness baseline = s.baselineClassPath == null ? null
                : new PipelineHarness(bootstrap, dir.resolve("runs-baseline"), jvmOptions,
                        s.warmupEvents / 3, s.profile, s.device, s.baselineClassPath);
        // Transactions committed as often as the job's checkpoints as shipped.
        RawFloorRun floor = new RawFloorRun(bootstrap, dir.resolve("runs"), jvmOptions,
                s.warmupEvents / 3, FusionOptions.CHECKPOINT_INTERVAL.defaultValue());

        List<Run> runs = new ArrayList<>();
        long all = workload.samples();
        long batch1 = workload.wholeWindows(s.batch1Events / 3);
        long scaling = workload.wholeWindows(s.scalingEvents / 3);
        if (s.runs("pipeline") || s.runs("latency")) {
            runs.add(new Run(Report.SHIPPED, workload, all));
        }
        if (s.runs("pipeline")) {
            runs.add(new Run(Report.BATCH1, workload, batch1));
            runs.add(new Run(Report.IO_CEILING, workload, all));
            runs.add(new Run(Report.RAW_FLOOR_SPEC, workload, all));
        }
        if (runsLatestBounded(s)) {
            runs.add(new Run(Report.LATEST, workload, scaling));
        }
        if (s.runs("scaling")) {
            runs.add(new Run(Report.PARALLELISM1, workload, scaling));
            for (String preset : PRESETS) {
                String models = PRESETS_DIR.resolve(preset).toAbsolutePath().toString();
                runs.add(new Run(Report.preset(preset, models, JOB_BATCH), workload, scaling));
                runs.add(new Run(Report.preset(preset, models, 1), workload, batch1));
            }
        }
        if (s.runs("keyspace")) {
            for (int entities : s.entityCounts) {
                Workload keys = entities == workload.entities() ? workload
                        : keySpace(bootstrap, s, entities, out);
                runs.add(new Run(Report.keySpace(entities), keys, keys.wholeWindows(scaling)));
            }
        }
        if (s.runs("checkpoints")) {
            for (Duration interval : s.checkpointIntervals) {
                runs.add(new Run(Report.checkpointThroughput(interval), workload, scaling,
                        s.latencyTrials));
            }
            for (Duration interval : s.changelogIntervals) {
                runs.add(new Run(Report.changelogThroughput(interval), workload, scaling,
                        s.latencyTrials));
            }
        }
        if (!s.configs.isEmpty()) {
            runs.removeIf(r -> !s.configs.contains(r.spec().name()));
        }
        for (int trial = 1; trial <= s.trials; trial++) {
            // Trials interleave the configurations, so that a noisy minute hurts all of them alike.
            for (Run run : runs) {
                if (trial > run.trials()) {
                    continue;
                }
                if (run.spec() == Report.RAW_FLOOR_SPEC) {
                    FloorResult r = floor.run(trial, run.workload(), run.samples());
                    out.printf(Locale.ROOT, "  %-26s trial %d: %,9.0f fused/s, %,7.1f us CPU per"
                                    + " fused, %,6.0f MB RSS, %s (load %.2f)%n",
                            Report.RAW_FLOOR_SPEC.name(), trial, r.fusedPerSecond(),
                            r.cpuMicrosPerFused(), r.vmHwmKb() / 1024.0, r.exact() ? "exact"
                                    : "MISMATCH " + r.outputRecords() + "/" + r.samples(),
                            r.loadAverage());
                    report.floor(r);
                    continue;
                }
                if (baseline == null) {
                    report.throughput(bounded(harness, run.spec(), trial, run, out));
                    continue;
                }
                // Each trial runs both jobs, each first in every other trial: the second of two
                // runs over the same workload tends to be the cheaper one (docs/PERFORMANCE.md).
                RunSpec twin = run.spec().named(run.spec().name() + Report.BASELINE_SUFFIX);
                if (trial % 2 == 1) {
                    report.throughput(bounded(harness, run.spec(), trial, run, out));
                    report.throughput(bounded(baseline, twin, trial, run, out));
                } else {
                    report.throughput(bounded(baseline, twin, trial, run, out));
                    report.throughput(bounded(harness, run.spec(), trial, run, out));
                }
            }
        }
        if (s.runs("latency") || s.runs("checkpoints")) {
            latency(s, report, harness, workload, out);
        }
    }

    /**
     * Whether the bounded latency-config run is made: the latency and checkpoint phases need it,
     * and {@code --configs latency-config} asks for it alone, with both skipped (to compare jars).
     */
    private static boolean runsLatestBounded(BenchSettings s) {
        return s.runs("latency") || s.runs("checkpoints")
                || s.configs.contains(Report.LATEST.name());
    }

    private static ThroughputResult bounded(PipelineHarness harness, RunSpec spec, int trial,
            Run run, PrintStream out) throws Exception {
        ThroughputResult r = harness.bounded(spec, trial, run.workload(), run.samples());
        out.printf(Locale.ROOT, "  %-26s trial %d: %,9.0f fused/s, %,7.1f us CPU per fused, %,6.0f"
                        + " MB RSS, %s (load %.2f)%n", spec.name(), trial, r.fusedPerSecond(),
                r.cpuMicrosPerFused(), r.vmHwmKb() / 1024.0,
                r.exact() ? "exact" : "MISMATCH " + r.fused() + "/" + r.expectedFused(),
                r.loadAverage());
        return r;
    }

    /** A workload of the key-space runs: {@code entities} entities, 1 s windows as usual. */
    private static Workload keySpace(String bootstrap, BenchSettings s, int entities,
            PrintStream out) throws InterruptedException {
        long t0 = System.nanoTime();
        Workload w = Workload.preload(bootstrap, "bench-k" + entities, s.scalingEvents / 3,
                entities, s.entities, 2, 1000, 43);
        out.printf(Locale.ROOT, "bench: preloaded %,d events over %,d entities in %.1f s%n",
                w.events(), entities, (System.nanoTime() - t0) / 1e9);
        return w;
    }

    private static void latency(BenchSettings s, Report report, PipelineHarness harness,
            Workload workload, PrintStream out) throws Exception {
        double bounded = report.medianFusedPerSecond(Report.LATEST.name());
        if (Double.isNaN(bounded)) {
            throw new IllegalArgumentException("bench: the latency runs need the bounded"
                    + " latency-config run (do not leave it out with --configs)");
        }
        LatencyRun latency = new LatencyRun(harness, new LatencyRun.Settings(s.latencyWarmup,
                s.latencyMeasure, s.entities));
        // The bounded run drains a backlog with the machine to itself. In open loop the load
        // generator and the broker's writes share the cores with the job, so the loads are
        // fractions of what the job sustains then: offer more than the bounded maximum and
        // count what comes out; then offer a little more than that, because a generator far
        // ahead of the job takes CPU from it, and keep the higher figure.
        double offer = Report.CALIBRATION_LOAD * bounded;
        for (int step = 1; step <= 2; step++) {
            LatencyResult overload = latency.run(Report.LATENCY, step, offer / bounded, offer,
                    workload);
            report.calibration(overload, bounded);
            out.printf(Locale.ROOT, "bench: calibration %d: offered %,.0f events/s (%.0f%% of"
                            + " the bounded maximum %,.0f), the job emitted %,.0f fused/s"
                            + " (load %.2f)%n", step, offer, 100 * offer / bounded, bounded,
                    overload.emittedPerSecond(), overload.loadAverage());
            if (overload.emittedPerSecond() >= 0.95 * offer) {
                break; // it kept up: nothing above this was offered
            }
            offer = Report.CALIBRATION_RETRY * overload.emittedPerSecond();
        }
        double max = report.openLoopMaximum();
        List<RunSpec> sweep = new ArrayList<>();
        if (s.runs("checkpoints")) {
            for (Duration interval : s.checkpointIntervals) {
                sweep.add(Report.checkpointLatency(interval));
            }
            for (Duration interval : s.changelogIntervals) {
                sweep.add(Report.changelogLatency(interval));
            }
            sweep.add(Report.unalignedChangelogLatency());
            sweep.add(Report.atLeastOnceLatency());
            sweep.add(Report.withoutDuplicateDetectionLatency());
        }
        for (int trial = 1; trial <= s.latencyTrials; trial++) {
            if (s.runs("latency")) {
                out.printf(Locale.ROOT, "bench: latency at %s of %,.0f events/s (latest"
                        + " alignment, open-loop maximum)%n", s.loads, max);
                for (double load : s.loads) {
                    report.latency(print(out, latency.run(Report.LATENCY, trial, load,
                            load * max, workload)));
                }
            }
            if (!sweep.isEmpty()) {
                out.printf(Locale.ROOT, "bench: checkpoint sweep at %.0f%% of %,.0f events/s%n",
                        100 * Report.SWEEP_LOAD, max);
                for (RunSpec spec : sweep) {
                    report.sweep(print(out, latency.run(spec, trial, Report.SWEEP_LOAD,
                            Report.SWEEP_LOAD * max, workload)));
                }
            }
        }
    }

    private static LatencyResult print(PrintStream out, LatencyResult r) {
        out.printf(Locale.ROOT, "  %-26s %3.0f%% (%,6.0f events/s) trial %d: internal"
                        + " p50/p99/p99.9 %d/%d/%d ms, visible %d/%d/%d ms, checkpoints %d"
                        + " (median %d ms), %d/%d fusions (load %.2f)%n", r.spec().name(),
                100 * r.loadFraction(), r.targetEventsPerSecond(), r.trial(), r.internalP50(),
                r.internalP99(), r.internalP999(), r.visibleP50(), r.visibleP99(),
                r.visibleP999(), r.checkpoints().completed(),
                r.checkpoints().medianDurationMillis(), r.fusedInWindow(), r.expectedInWindow(),
                r.loadAverage());
        return r;
    }

    /** A configuration, the samples of the workload it runs over, and its number of trials. */
    private record Run(RunSpec spec, Workload workload, long samples, int trials) {

        Run(RunSpec spec, Workload workload, long samples) {
            this(spec, workload, samples, Integer.MAX_VALUE);
        }
    }
}
