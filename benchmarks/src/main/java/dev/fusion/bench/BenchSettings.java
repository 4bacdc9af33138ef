package dev.fusion.bench;

import dev.fusion.bench.report.Report;
import dev.fusion.models.runtime.Device;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.flink.util.TimeUtils;

/** The options of {@code ./fusion bench}, with their defaults; {@link #USAGE} documents them. */
final class BenchSettings {

    static final String USAGE = """
            Options of ./fusion bench (defaults in brackets):
              --events N            events preloaded into the broker, three per sample [1000000]
              --batch1-events N     events of the batch-size-1 runs, a prefix of them [300000]
              --scaling-events N    events of the scaling runs and of the latency
                                    configuration's bounded run [500000]
              --trials N            trials of every pipeline run; medians are reported [3]
              --latency-trials N    trials of every latency run and of the bounded runs of
                                    the checkpoint sweep [1]
              --loads LIST          latency loads, fractions of the open-loop maximum
                                    [0.25,0.5,0.75]
              --latency-warmup D    load before each latency measurement [10s]
              --latency-measure D   latency measurement window [20s]
              --warmup-events N     events each job JVM processes, unmeasured, first [150000]
              --entities N          entities (one sample each per 1 s window) [1000]
              --checkpoint-intervals LIST
                                    checkpoint intervals of the latency sweep (50% load,
                                    exactly once; plus one at-least-once run)
                                    [100ms,200ms,500ms,1s,2s]
              --changelog-intervals LIST
                                    the same sweep's intervals with job.state-changelog
                                    (the changelog state backend; plus one run at 200ms
                                    with unaligned checkpoints too) [100ms,200ms,1s]
              --entity-counts LIST  key spaces of the key-space runs (as shipped, 1,000
                                    samples per 1 s window) [1000,100000,1000000]
              --device D            inference.device of every model and pipeline run:
                                    cpu, cuda, cuda:N [cpu]
              --jmh-iterations N    JMH measurement iterations per point [3]
              --jmh-time D          length of one JMH iteration [500ms]
              --skip LIST           phases to skip: models, pipeline, scaling, latency,
                                    checkpoints, keyspace
              --configs LIST        only these pipeline configurations: shipped, batch-1,
                                    io-ceiling, raw-floor, latency-config, parallelism-1,
                                    preset-P and preset-P-batch-1 (P: small, medium,
                                    large), checkpoints-I and changelog-I (I: an
                                    interval of the sweep),
                                    keyspace-N (N: an entity count) [all]
              --baseline DIR        another checkout (an earlier commit, say), which
                                    ./fusion bench builds too: every bounded run is
                                    repeated with that checkout's job, trial by trial, as
                                    CONFIG-baseline, and the two are compared side by side
                                    (the open-loop latency runs are not repeated)
              --out DIR             results directory [benchmarks/results/<timestamp>]
              --docs FILE           the document whose figures to replace
                                    [docs/PERFORMANCE.md]
              --no-docs             leave the document alone
              --profile             record a JFR profile of every job run (runs/ID.jfr)
              --quick               a smoke run of a few minutes: few events, one trial
            """;

    static final List<Integer> JMH_BATCHES = List.of(1, 4, 16, 64, 256, 1024);
    static final Set<String> PHASES = Set.of("models", "pipeline", "scaling", "latency",
            "checkpoints", "keyspace");

    long events = 1_000_000;
    long batch1Events = 300_000;
    long scalingEvents = 500_000;
    int trials = 3;
    int latencyTrials = 1;
    List<Double> loads = List.of(0.25, 0.5, 0.75);
    Duration latencyWarmup = Duration.ofSeconds(10);
    Duration latencyMeasure = Duration.ofSeconds(20);
    int entities = 1000;
    List<Duration> checkpointIntervals = List.of(Duration.ofMillis(100), Duration.ofMillis(200),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2));
    List<Duration> changelogIntervals = List.of(Duration.ofMillis(100), Duration.ofMillis(200),
            Duration.ofSeconds(1));
    List<Integer> entityCounts = List.of(1_000, 100_000, 1_000_000);
    String device = "cpu";
    int jmhIterations = 3;
    Duration jmhTime = Duration.ofMillis(500);
    Set<String> skip = new LinkedHashSet<>();
    Set<String> configs = new LinkedHashSet<>();
    Path out;
    /** {@code --baseline}: the checkout every bounded run is repeated with, or null. */
    Path baseline;
    /** The class path of the baseline's job JVMs, or null. */
    String baselineClassPath;
    Path docs = Path.of("docs", "PERFORMANCE.md");
    boolean quick;
    boolean profile;
    boolean help;
    long warmupEvents = 150_000;
    /** The command line, for the record. */
    String commandLine = "";

    static BenchSettings parse(String[] argv) {
        BenchSettings s = new BenchSettings();
        s.commandLine = String.join(" ", argv);
        for (int i = 0; i < argv.length; i++) {
            String name = argv[i];
            if (name.equals("--quick")) {
                s.quick();
                continue;
            }
            if (name.equals("--help") || name.equals("-h")) {
                s.help = true;
                continue;
            }
            if (name.equals("--profile")) {
                s.profile = true;
                continue;
            }
            if (name.equals("--no-docs")) {
                s.docs = null;
                continue;
            }
            if (!name.startsWith("--") || i + 1 >= argv.length) {
                throw new IllegalArgumentException("bench: unexpected argument '" + name + "'\n"
                        + USAGE);
            }
            String v = argv[++i];
            switch (name) {
                case "--events" -> s.events = positiveLong(name, v);
                case "--batch1-events" -> s.batch1Events = positiveLong(name, v);
                case "--scaling-events" -> s.scalingEvents = positiveLong(name, v);
                case "--trials" -> s.trials = (int) positiveLong(name, v);
                case "--latency-trials" -> s.latencyTrials = (int) positiveLong(name, v);
                case "--loads" -> s.loads = fractions(name, v);
                case "--latency-warmup" -> s.latencyWarmup = duration(name, v);
                case "--latency-measure" -> s.latencyMeasure = duration(name, v);
                case "--warmup-events" -> s.warmupEvents = Long.parseLong(v.trim());
                case "--entities" -> s.entities = (int) positiveLong(name, v);
                case "--checkpoint-intervals" -> s.checkpointIntervals = durations(name, v);
                case "--changelog-intervals" -> s.changelogIntervals = durations(name, v);
                case "--entity-counts" -> s.entityCounts = counts(name, v);
                case "--device" -> s.device = device(v);
                case "--jmh-iterations" -> s.jmhIterations = (int) positiveLong(name, v);
                case "--jmh-time" -> s.jmhTime = duration(name, v);
                case "--skip" -> s.skip = phases(v);
                case "--configs" -> s.configs = new LinkedHashSet<>(Arrays.asList(v.split(",")));
                case "--baseline" -> {
                    s.baseline = Path.of(v);
                    s.baselineClassPath = baselineClassPath(s.baseline);
                }
                case "--out" -> s.out = Path.of(v);
                case "--docs" -> s.docs = Path.of(v);
                default -> throw new IllegalArgumentException("bench: unknown option " + name
                        + "\n" + USAGE);
            }
        }
        return s;
    }

    /** Small enough to check that everything works, far too small to quote. */
    private void quick() {
        quick = true;
        events = 60_000;
        batch1Events = 15_000;
        scalingEvents = 30_000;
        trials = 1;
        latencyTrials = 1;
        latencyWarmup = Duration.ofSeconds(5);
        latencyMeasure = Duration.ofSeconds(10);
        jmhIterations = 2;
        jmhTime = Duration.ofMillis(300);
        warmupEvents = 30_000;
        checkpointIntervals = List.of(Duration.ofMillis(200), Duration.ofSeconds(1));
        changelogIntervals = List.of(Duration.ofMillis(200));
        entityCounts = List.of(1_000, 100_000);
        docs = null;
    }

    boolean runs(String phase) {
        return !skip.contains(phase);
    }

    /**
     * The class path of a built checkout's benchmarks (what {@code ./fusion bench} builds there):
     * its benchmarks jar and the dependencies Maven listed beside it.
     */
    static String baselineClassPath(Path checkout) {
        Path target = checkout.resolve("benchmarks").resolve("target");
        Path list = target.resolve("classpath.txt");
        try (var files = Files.list(target)) {
            Path jar = files.filter(f -> f.getFileName().toString().matches(
                    "fusion-benchmarks-[^-]+(-SNAPSHOT)?\\.jar")).findFirst().orElse(null);
            if (jar != null && Files.isRegularFile(list)) {
                return jar.toAbsolutePath() + File.pathSeparator + Files.readString(list).trim();
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // no build at all: said below
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalArgumentException("bench: --baseline " + checkout + " has no built"
                + " benchmarks (" + target + ": fusion-benchmarks-*.jar and classpath.txt);"
                + " ./fusion bench --baseline builds them, or run there: mvn -Pbenchmarks -pl"
                + " benchmarks -am -DskipTests package dependency:build-classpath"
                + " -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime");
    }

    private static long positiveLong(String name, String v) {
        try {
            long n = Long.parseLong(v.replace("_", "").trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        throw new IllegalArgumentException("bench: " + name
                + " must be a positive whole number, got '" + v + "'");
    }

    private static Duration duration(String name, String v) {
        try {
            return TimeUtils.parseDuration(v.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bench: " + name
                    + " must be a duration such as 30s, got '" + v + "'");
        }
    }

    /** A CPU or CUDA device; {@code auto} is refused, since a run must say what it measured. */
    private static String device(String v) {
        Device device = null;
        try {
            device = Device.parse(v);
        } catch (IllegalArgumentException e) {
            // Reported below.
        }
        if (device == null || device.kind() == Device.Kind.AUTO) {
            throw new IllegalArgumentException("bench: --device takes cpu, cuda or cuda:N; got '"
                    + v + "'");
        }
        return device.toString();
    }

    private static List<Duration> durations(String name, String v) {
        List<Duration> out = new ArrayList<>();
        for (String d : v.split(",")) {
            Duration interval = duration(name, d);
            if (interval.toMillis() < 10) {
                throw new IllegalArgumentException("bench: " + name
                        + " takes intervals of 10 ms or more, such as 100ms,1s; got '" + v + "'");
            }
            out.add(interval);
        }
        return out;
    }

    private static List<Integer> counts(String name, String v) {
        List<Integer> out = new ArrayList<>();
        for (String n : v.split(",")) {
            long count = positiveLong(name, n);
            if (count > 100_000_000) {
                throw new IllegalArgumentException("bench: " + name
                        + " takes counts up to 100,000,000; got '" + n + "'");
            }
            out.add((int) count);
        }
        return out;
    }

    private static List<Double> fractions(String name, String v) {
        List<Double> out = new ArrayList<>();
        for (String f : v.split(",")) {
            double d;
            try {
                d = Double.parseDouble(f.trim());
            } catch (NumberFormatException e) {
                d = -1;
            }
            if (!(d > 0 && d <= 1.5)) {
                throw new IllegalArgumentException("bench: " + name
                        + " takes fractions such as 0.25,0.5,0.75; got '" + v + "'");
            }
            out.add(d);
        }
        return out;
    }

    private static Set<String> phases(String v) {
        Set<String> out = new LinkedHashSet<>();
        for (String p : v.split(",")) {
            String phase = p.trim().toLowerCase(Locale.ROOT);
            if (!PHASES.contains(phase)) {
                throw new IllegalArgumentException("bench: --skip takes " + String.join(", ",
                        PHASES.stream().sorted().toList()) + "; got '" + p + "'");
            }
            out.add(phase);
        }
        return out;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%,d events (batch size 1: %,d; scaling: %,d; JVM"
                        + " warm-up: %,d), %d trial(s), latency at %s of the maximum (%d trial(s),"
                        + " %ds warm-up, %ds window), %d entities, checkpoint sweep %s (changelog"
                        + " %s), key spaces %s, JMH %d x %d ms per point, on %s%s%s",
                events, batch1Events, scalingEvents, warmupEvents, trials, loads, latencyTrials,
                latencyWarmup.toSeconds(), latencyMeasure.toSeconds(), entities,
                checkpointIntervals.stream().map(Report::intervalLabel).toList(),
                changelogIntervals.stream().map(Report::intervalLabel).toList(), entityCounts,
                jmhIterations,
                jmhTime.toMillis(), device, skip.isEmpty() ? "" : ", skipping " + skip,
                configs.isEmpty() ? "" : ", only " + configs)
                + (baseline == null ? "" : ", against the baseline " + baseline);
    }
}
