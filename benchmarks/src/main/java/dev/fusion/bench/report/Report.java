package dev.fusion.bench.report;

import dev.fusion.bench.floor.FloorResult;
import dev.fusion.bench.model.ModelBenchmark;
import dev.fusion.bench.model.ModelCeiling;
import dev.fusion.bench.pipeline.LatencyResult;
import dev.fusion.bench.pipeline.RunSpec;
import dev.fusion.bench.pipeline.ThroughputResult;
import dev.fusion.jobs.config.FusionOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.ToDoubleFunction;
import org.apache.flink.configuration.ConfigOption;

/**
 * Everything one bench run measured, the figures derived from it (medians, the ideal, the
 * ratios, the targets), and its outputs: CSV files, SVG charts, summary.md and the figures block
 * of docs/PERFORMANCE.md.
 */
public final class Report {

    /** (a) The pipeline as shipped: batch 64, parallelism 2, window alignment. */
    /** The suffix of a configuration's runs with the baseline's job ({@code --baseline}). */
    public static final String BASELINE_SUFFIX = "-baseline";
    public static final RunSpec SHIPPED = new RunSpec("shipped", 2, 64, false, null, false);
    /** (b) The same with batch size 1: one model call per record, as a per-record map function. */
    public static final RunSpec BATCH1 = new RunSpec("batch-1", 2, 1, false, null, false);
    /** (d) The I/O ceiling: inference replaced by a pass-through of equal output size. */
    public static final RunSpec IO_CEILING = new RunSpec("io-ceiling", 2, 64, true, null, false);
    /**
     * The latency configuration's checkpoint interval: with exactly-once sinks a fused record
     * becomes visible to read_committed readers when the checkpoint after it completes, so this
     * bounds visible latency; the checkpoint sweep shows the trade-off around it.
     */
    public static final Duration LATENCY_CHECKPOINT_INTERVAL = Duration.ofMillis(200);
    /**
     * Job options of the latency runs, beyond the shipped defaults: the load generator writes each
     * partition in event-time order, so no out-of-orderness needs waiting for; watermarks and
     * network buffers leave every 10 ms instead of every 200 and 100 ms; checkpoints (and so
     * read_committed visibility) every {@link #LATENCY_CHECKPOINT_INTERVAL}.
     */
    public static final Map<String, String> LATENCY_OPTIONS = Map.of("job.checkpoint-interval",
            intervalLabel(LATENCY_CHECKPOINT_INTERVAL), "watermarks.out-of-orderness", "0 ms",
            "watermarks.interval", "10 ms", "job.buffer-timeout", "10 ms");
    /** The latency configuration, bounded: the maximum the latency loads are fractions of. */
    public static final RunSpec LATEST = new RunSpec("latency-config", 2, 64, false, null, true,
            LATENCY_OPTIONS);
    /** As shipped with parallelism 1. */
    public static final RunSpec PARALLELISM1 = new RunSpec("parallelism-1", 1, 64, false, null,
            false);
    /** The open-loop latency runs. */
    public static final RunSpec LATENCY = new RunSpec("latency", 2, 64, false, null, true,
            LATENCY_OPTIONS);

    /** The visible-latency target: p99 at 50% of the open-loop maximum, exactly once (ms). */
    public static final long VISIBLE_P99_TARGET_MILLIS = 400;

    /** (a)/(b) must reach this fraction of what batching can give (the ratio of the ideals). */
    public static final double BATCHING_TARGET = 0.9;

    /** The I/O ceiling's target against the raw kafka-clients floor. */
    public static final double FLOOR_TARGET = 0.5;

    /**
     * The raw kafka-clients floor (no Flink: {@code dev.fusion.bench.floor}); as a run
     * configuration only its name counts.
     */
    public static final RunSpec RAW_FLOOR_SPEC = new RunSpec("raw-floor", 6, 0, true, null,
            false);

    /** The load of the checkpoint sweep, a fraction of the open-loop maximum. */
    public static final double SWEEP_LOAD = 0.5;

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
    final List<LatencyResult> sweep = new ArrayList<>();
    final List<FloorResult> floor = new ArrayList<>();
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

    public void floor(FloorResult r) {
        floor.add(r);
    }

    /** Median fused outputs per second of the raw floor's trials, or NaN. */
    double medianFloor() {
        return median(floor, FloorResult::fusedPerSecond);
    }

    /** A run of the checkpoint sweep ({@link #checkpointLatency}, {@link #atLeastOnceLatency}). */
    public void sweep(LatencyResult r) {
        sweep.add(r);
    }

    /** An interval as the bench names it: {@code 100ms}, {@code 2s}. */
    public static String intervalLabel(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    /** The latency configuration, bounded, with checkpoints every {@code interval}. */
    public static RunSpec checkpointThroughput(Duration interval) {
        return new RunSpec("checkpoints-" + intervalLabel(interval), 2, 64, false, null, true,
                withInterval(interval, true));
    }

    /** The open-loop latency configuration with checkpoints every {@code interval}. */
    public static RunSpec checkpointLatency(Duration interval) {
        return new RunSpec("latency-checkpoints-" + intervalLabel(interval), 2, 64, false, null,
                true, withInterval(interval, true));
    }

    /**
     * The latency configuration, bounded, with checkpoints every {@code interval} through the
     * changelog state backend ({@code job.state-changelog}).
     */
    public static RunSpec changelogThroughput(Duration interval) {
        return new RunSpec("changelog-" + intervalLabel(interval), 2, 64, false, null, true,
                withChangelog(interval));
    }

    /** The open-loop latency configuration with the changelog state backend. */
    public static RunSpec changelogLatency(Duration interval) {
        return new RunSpec("latency-changelog-" + intervalLabel(interval), 2, 64, false, null,
                true, withChangelog(interval));
    }

    private static Map<String, String> withChangelog(Duration interval) {
        Map<String, String> options = withInterval(interval, true);
        options.put(FusionOptions.STATE_CHANGELOG.key(), "true");
        return options;
    }

    /** Whether a run checkpoints through the changelog state backend. */
    static boolean usesChangelog(RunSpec spec) {
        return flag(spec, FusionOptions.STATE_CHANGELOG);
    }

    /**
     * The open-loop latency configuration with the changelog state backend and unaligned
     * checkpoints ({@code job.unaligned-checkpoints}), at the latency configuration's interval.
     */
    public static RunSpec unalignedChangelogLatency() {
        Map<String, String> options = withChangelog(LATENCY_CHECKPOINT_INTERVAL);
        options.put(FusionOptions.UNALIGNED_CHECKPOINTS.key(), "true");
        return new RunSpec("latency-changelog-unaligned", 2, 64, false, null, true, options);
    }

    /** Whether a run takes unaligned checkpoints. */
    static boolean unaligned(RunSpec spec) {
        return flag(spec, FusionOptions.UNALIGNED_CHECKPOINTS);
    }

    /** The open-loop latency configuration with at-least-once sinks. */
    public static RunSpec atLeastOnceLatency() {
        return new RunSpec("latency-at-least-once", 2, 64, false, null, true,
                withInterval(LATENCY_CHECKPOINT_INTERVAL, false));
    }

    /**
     * The open-loop latency configuration without duplicate detection: what the remembered event
     * ids (state that grows with the input rate times {@code align.duplicate-horizon}, written
     * whole at every checkpoint) cost in checkpoint duration and so in visible latency.
     */
    public static RunSpec withoutDuplicateDetectionLatency() {
        Map<String, String> options = withInterval(LATENCY_CHECKPOINT_INTERVAL, true);
        options.put(FusionOptions.DUPLICATE_HORIZON.key(), "0 ms");
        return new RunSpec("latency-no-duplicate-detection", 2, 64, false, null, true, options);
    }

    /** Whether a run detects duplicates (a horizon above 0, the default). */
    static boolean detectsDuplicates(RunSpec spec) {
        String set = spec.options().get(FusionOptions.DUPLICATE_HORIZON.key());
        return set == null ? !FusionOptions.DUPLICATE_HORIZON.defaultValue().isZero()
                : !org.apache.flink.util.TimeUtils.parseDuration(set).isZero();
    }

    private static Map<String, String> withInterval(Duration interval, boolean exactlyOnce) {
        Map<String, String> options = new java.util.HashMap<>(LATENCY_OPTIONS);
        options.put(FusionOptions.CHECKPOINT_INTERVAL.key(), intervalLabel(interval));
        options.put(FusionOptions.EXACTLY_ONCE.key(), String.valueOf(exactlyOnce));
        return options;
    }

    /** The checkpoint interval a run's job used (the job's default where it sets none). */
    static Duration interval(RunSpec spec) {
        String set = spec.options().get(FusionOptions.CHECKPOINT_INTERVAL.key());
        return set == null ? FusionOptions.CHECKPOINT_INTERVAL.defaultValue()
                : org.apache.flink.util.TimeUtils.parseDuration(set);
    }

    /** Whether a run's sinks were exactly once. */
    static boolean exactlyOnce(RunSpec spec) {
        return flag(spec, FusionOptions.EXACTLY_ONCE);
    }

    /** A boolean job option of {@code spec}: its value where the spec sets it, else the default. */
    private static boolean flag(RunSpec spec, ConfigOption<Boolean> option) {
        String set = spec.options().get(option.key());
        return set == null ? option.defaultValue() : Boolean.parseBoolean(set);
    }

    /** As shipped, over a workload whose samples take turns among {@code entities} entities. */
    public static RunSpec keySpace(int entities) {
        return new RunSpec("keyspace-" + entities, 2, 64, false, null, false);
    }

    /** The routing models of {@code preset}, as shipped or at batch size 1. */
    public static RunSpec preset(String preset, String modelsDir, int batchSize) {
        return new RunSpec("preset-" + preset + (batchSize == 1 ? "-batch-1" : ""), 2, batchSize,
                false, modelsDir, false);
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

    /** Median job CPU per fused output over the trials of {@code name} (us), or NaN. */
    double medianCpu(String name) {
        return median(runs(name), ThroughputResult::cpuMicrosPerFused);
    }

    List<ThroughputResult> runs(String name) {
        return throughput.stream().filter(r -> r.spec().name().equals(name)).toList();
    }

    List<String> configurations() {
        return throughput.stream().map(r -> r.spec().name()).distinct().toList();
    }

    /** The configurations measured with both this checkout's job and the baseline's. */
    List<String> comparedWithBaseline() {
        List<String> names = configurations();
        return names.stream().filter(n -> !n.endsWith(BASELINE_SUFFIX)
                && names.contains(n + BASELINE_SUFFIX)).toList();
    }

    List<Double> loads() {
        return latency.stream().map(LatencyResult::loadFraction).distinct().sorted().toList();
    }

    List<LatencyResult> latencyAt(double load) {
        return latency.stream().filter(r -> r.loadFraction() == load).toList();
    }

    /**
     * The checkpoint intervals of the exactly-once sweep runs with duplicate detection, through
     * the hash-map backend ({@code changelog} false) or the changelog backend, shortest first.
     */
    List<Duration> sweepIntervals(boolean changelog) {
        return sweep.stream().filter(r -> exactlyOnce(r.spec()) && detectsDuplicates(r.spec())
                        && usesChangelog(r.spec()) == changelog && !unaligned(r.spec()))
                .map(r -> interval(r.spec())).distinct().sorted().toList();
    }

    /** The sweep's runs of {@code spec}. */
    List<LatencyResult> sweepOf(RunSpec spec) {
        return sweep.stream().filter(r -> r.spec().name().equals(spec.name())).toList();
    }

    /** The sweep's aligned runs at {@code interval}, with duplicate detection, without the changelog. */
    List<LatencyResult> sweepAt(Duration interval, boolean exactlyOnce) {
        return sweepAt(interval, exactlyOnce, true, false);
    }

    List<LatencyResult> sweepAt(Duration interval, boolean exactlyOnce,
            boolean duplicateDetection, boolean changelog) {
        return sweep.stream().filter(r -> exactlyOnce(r.spec()) == exactlyOnce
                && detectsDuplicates(r.spec()) == duplicateDetection
                && usesChangelog(r.spec()) == changelog && !unaligned(r.spec())
                && interval(r.spec()).equals(interval)).toList();
    }

    /**
     * The changelog interval whose median visible p99 is lowest, with that p99 (ms); empty if
     * the sweep ran no changelog runs.
     */
    Optional<Map.Entry<Duration, Double>> bestChangelogPoint() {
        return sweepIntervals(true).stream()
                .map(i -> Map.entry(i, median(sweepAt(i, true, true, true),
                        LatencyResult::visibleP99)))
                .min(Map.Entry.comparingByValue());
    }

    /** The entity counts of the key-space runs, smallest first. */
    List<Integer> keySpaces() {
        return throughput.stream().map(r -> r.spec().name()).filter(n -> n.startsWith("keyspace-"))
                .map(n -> Integer.parseInt(n.substring("keyspace-".length()))).distinct().sorted()
                .toList();
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
        double visibleP99 = half.isEmpty() ? Double.NaN : median(half, LatencyResult::visibleP99);
        return new Figures(a, b, c, c1, d, medianFloor(), p99, visibleP99);
    }

    /**
     * Batching judged for one set of routing models: (a) and (b) with those models, and the
     * model-only chain at batch 64 and 1 (2 threads), against the same I/O ceiling.
     *
     * @param preset {@code shipped} (the bundled models) or a preset's name
     */
    Batching batching(String preset) {
        boolean shipped = preset.equals("shipped");
        double a = medianFusedPerSecond(shipped ? SHIPPED.name() : "preset-" + preset);
        double b = medianFusedPerSecond(shipped ? BATCH1.name() : "preset-" + preset + "-batch-1");
        return new Batching(preset, a, b, chain(preset, 64, 2), chain(preset, 1, 2),
                medianFusedPerSecond(IO_CEILING.name()));
    }

    /**
     * @param a as shipped (batch 64), fused/s
     * @param b batch size 1
     * @param c the chain at batch 64
     * @param c1 the chain at batch 1
     * @param d the I/O ceiling
     */
    record Batching(String preset, double a, double b, double c, double c1, double d) {

        /** What batching can give at most here: the ideal at batch 64 over the ideal at 1. */
        double bound() {
            return (1 / (1 / c + 1 / d)) / (1 / (1 / c1 + 1 / d));
        }

        double ratio() {
            return a / b;
        }

        boolean met() {
            return ratio() >= BATCHING_TARGET * bound();
        }
    }

    /**
     * @param a the pipeline as shipped (fused/s)
     * @param b batch size 1
     * @param c the model-only ceiling of the chain at the job's batch size and thread settings
     * @param c1 the same at batch size 1
     * @param d the I/O ceiling
     * @param floor the raw kafka-clients floor (fused-equivalent outputs/s)
     * @param p99AtHalfLoad the job-internal p99 latency at 50% load (ms)
     * @param visibleP99AtHalfLoad the visible (read_committed) p99 latency at 50% load (ms)
     */
    record Figures(double a, double b, double c, double c1, double d, double floor,
            double p99AtHalfLoad, double visibleP99AtHalfLoad) {

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

        double dOverFloor() {
            return d / floor;
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
