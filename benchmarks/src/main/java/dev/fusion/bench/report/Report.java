package dev.fusion.bench.report;

import dev.fusion.bench.model.ModelBenchmark;
import dev.fusion.bench.model.ModelCeiling;
import dev.fusion.bench.pipeline.LatencyResult;
import dev.fusion.bench.pipeline.RunSpec;
import dev.fusion.bench.pipeline.ThroughputResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.function.ToDoubleFunction;

/**
 * Everything one bench run measured, the figures derived from it (medians, the ideal, the
 * ratios, the targets), and its outputs: CSV files, SVG charts, summary.md and the figures block
 * of docs/PERFORMANCE.md.
 */
public final class Report {

    /** (a) The pipeline as shipped: batch 64, parallelism 2, window alignment. */
    public static final RunSpec SHIPPED = new RunSpec("shipped", 2, 64, false, null, false);
    /** (b) The same with batch size 1: one model call per record, as a per-record map function. */
    public static final RunSpec BATCH1 = new RunSpec("batch-1", 2, 1, false, null, false);
    /** (d) The I/O ceiling: inference replaced by a pass-through of equal output size. */
    public static final RunSpec IO_CEILING = new RunSpec("io-ceiling", 2, 64, true, null, false);
    /**
     * Job options of the latency runs, beyond the shipped defaults: the load generator writes each
     * partition in event-time order, so no out-of-orderness needs waiting for; watermarks and
     * network buffers leave every 10 ms instead of every 200 and 100 ms; checkpoints (and so
     * read_committed visibility) every second, as in the demo.
     */
    public static final Map<String, String> LATENCY_OPTIONS = Map.of("job.checkpoint-interval",
            "1 s", "watermarks.out-of-orderness", "0 ms", "watermarks.interval", "10 ms",
                    "job.buffer-timeout", "10 ms");
    /** The latency configuration, bounded: the maximum the latency loads are fractions of. */
    public static final RunSpec LATEST = new RunSpec("latency-config", 2, 64, false, null, true,
            LATENCY_OPTIONS);
    /** As shipped with parallelism 1. */
    public static final RunSpec PARALLELISM1 = new RunSpec("parallelism-1", 1, 64, false, null,
            false);
    /** The open-loop latency runs. */
    public static final RunSpec LATENCY = new RunSpec("latency", 2, 64, false, null, true,
            LATENCY_OPTIONS);

    /** The calibration run offers this multiple of the bounded maximum: more than the job takes. */
    public static final double CALIBRATION_LOAD = 1.25;

    /** A second calibration run offers this multiple of what the first one emitted. */
    public static final double CALIBRATION_RETRY = 1.1;

    /** {@code inference.max-delay} as shipped, in ms: the latency target is this plus 100 ms. */
    public static final long MAX_DELAY_MILLIS = 20;

    final Object settings;
    final String machine;
    final List<ModelCeiling.Point> models = new ArrayList<>();
    final List<ThroughputResult> throughput = new ArrayList<>();
    final List<LatencyResult> latency = new ArrayList<>();
    final List<LatencyResult> calibration = new ArrayList<>();
    double boundedLatencyMaximum = Double.NaN;
    final double loadAtStart;
    double wallSeconds;

    public Report(Object settings, String machine) {
        this.settings = settings;
        this.machine = machine;
        this.loadAtStart = loadAverage();
    }

    public String machine() {
        return machine;
    }

    public void models(List<ModelCeiling.Point> points) {
        models.addAll(points);
    }

    public void throughput(ThroughputResult r) {
        throughput.add(r);
    }

    public void latency(LatencyResult r) {
        latency.add(r);
    }

    /**
     * An open-loop overload run the latency loads are calibrated on, and the bounded maximum of
     * the same configuration.
     */
    public void calibration(LatencyResult overload, double boundedMaximum) {
        calibration.add(overload);
        boundedLatencyMaximum = boundedMaximum;
    }

    /**
     * The most fused outputs per second the latency configuration sustains in open loop (the
     * loads are fractions of it): the most it emitted in a calibration run, never above the
     * bounded maximum; the bounded maximum if no calibration ran.
     */
    public double openLoopMaximum() {
        if (calibration.isEmpty()) {
            return medianFusedPerSecond(LATEST.name());
        }
        double emitted = calibration.stream().mapToDouble(LatencyResult::emittedPerSecond).max()
                .orElseThrow();
        return Math.min(emitted, boundedLatencyMaximum);
    }

    public void wallSeconds(double seconds) {
        wallSeconds = seconds;
    }

    public double wallSeconds() {
        return wallSeconds;
    }

    /** Median of fused outputs per second over the trials of configuration {@code name}, or NaN. */
    public double medianFusedPerSecond(String name) {
        return median(runs(name), ThroughputResult::fusedPerSecond);
    }

    List<ThroughputResult> runs(String name) {
        return throughput.stream().filter(r -> r.spec().name().equals(name)).toList();
    }

    List<String> configurations() {
        return throughput.stream().map(r -> r.spec().name()).distinct().toList();
    }

    List<Double> loads() {
        return latency.stream().map(LatencyResult::loadFraction).distinct().sorted().toList();
    }

    List<LatencyResult> latencyAt(double load) {
        return latency.stream().filter(r -> r.loadFraction() == load).toList();
    }

    /** The model-only ceiling of the chain (fused outputs per second), or NaN if not measured. */
    double chain(String preset, int batch, int threads) {
        return models.stream().filter(p -> p.model().equals(ModelBenchmark.CHAIN)
                && p.preset().equals(preset) && p.batch() == batch && p.threads() == threads)
                .mapToDouble(ModelCeiling.Point::rowsPerSecond).findFirst().orElse(Double.NaN);
    }

    /** Rows per second of one model at one batch size, single-threaded, shipped models. */
    double model(String model, int batch) {
        return models.stream().filter(p -> p.model().equals(model) && p.preset().equals("shipped")
                        && p.batch() == batch && p.threads() == 1)
                .mapToDouble(ModelCeiling.Point::rowsPerSecond).findFirst().orElse(Double.NaN);
    }

    /** The side-by-side figures: (a), (b), (c), (d), the ideal and the targets. */
    Figures figures() {
        double a = medianFusedPerSecond(SHIPPED.name());
        double b = medianFusedPerSecond(BATCH1.name());
        double c = chain("shipped", SHIPPED.batchSize(), SHIPPED.parallelism());
        double c1 = chain("shipped", 1, SHIPPED.parallelism());
        double d = medianFusedPerSecond(IO_CEILING.name());
        List<LatencyResult> half = latencyAt(0.5);
        double p99 = half.isEmpty() ? Double.NaN : median(half, LatencyResult::internalP99);
        return new Figures(a, b, c, c1, d, p99);
    }

    /**
     * @param a the pipeline as shipped (fused/s)
     * @param b batch size 1
     * @param c the model-only ceiling of the chain at the job's batch size and thread settings
     * @param c1 the same at batch size 1
     * @param d the I/O ceiling
     * @param p99AtHalfLoad the job-internal p99 latency at 50% load (ms)
     */
    record Figures(double a, double b, double c, double c1, double d, double p99AtHalfLoad) {

        double ideal() {
            return 1 / (1 / c + 1 / d);
        }

        /** The ideal at batch size 1: (b) if inference and I/O cost only their own work. */
        double idealBatch1() {
            return 1 / (1 / c1 + 1 / d);
        }

        /**
         * The largest (a)/(b) that batching can give here (Amdahl): the ratio of the two ideals,
         * since batching shortens only the inference part of each output's cost.
         */
        double batchingBound() {
            return ideal() / idealBatch1();
        }

        double aOverB() {
            return a / b;
        }

        double aOverIdeal() {
            return a / ideal();
        }

        long latencyTargetMillis() {
            return MAX_DELAY_MILLIS + 100;
        }
    }

    static <T> double median(List<T> items, ToDoubleFunction<T> f) {
        double[] v = items.stream().mapToDouble(f).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static <T> double min(List<T> items, ToDoubleFunction<T> f) {
        OptionalDouble m = items.stream().mapToDouble(f).min();
        return m.isPresent() ? m.getAsDouble() : Double.NaN;
    }

    static <T> double max(List<T> items, ToDoubleFunction<T> f) {
        OptionalDouble m = items.stream().mapToDouble(f).max();
        return m.isPresent() ? m.getAsDouble() : Double.NaN;
    }

    static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                .getSystemLoadAverage();
    }

    /** The summary, as written to summary.md and into the document. */
    public String summaryMarkdown() {
        return new Summary(this).markdown();
    }

    /**
     * Writes the CSV files, charts and summary.md into {@code dir}; if {@code docs} is not null,
     * replaces the figures block of that document and copies the charts beside it.
     */
    public void write(Path dir, Path docs) throws IOException {
        CsvFiles.write(dir, this);
        List<Path> charts = Charts.write(dir, this);
        String summary = summaryMarkdown();
        Files.writeString(dir.resolve("summary.md"), summary);
        if (docs != null) {
            Path chartDir = Objects.requireNonNullElse(docs.getParent(),
                    Path.of(".")).resolve("performance");
            Files.createDirectories(chartDir);
            for (Path chart : charts) {
                Files.copy(chart, chartDir.resolve(chart.getFileName()),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            Document.replaceFigures(docs, new Summary(this).markdown(chartDir.getFileName() + "/"),
                    dir.toString());
        }
    }
}
