package dev.fusion.bench.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/** Runs {@link ModelBenchmark} with JMH (one fork per point) and reads rows per second. */
public final class ModelCeiling {

    /**
     * One measured point.
     *
     * @param model a {@link ModelBenchmark} model name
     * @param preset the model set ({@value ModelBenchmark#BUNDLED} or a preset name)
     * @param batch rows per call
     * @param threads calling threads (each with one intra-op thread)
     * @param rowsPerSecond median over the measurement iterations, all threads together
     * @param minRowsPerSecond slowest iteration
     * @param maxRowsPerSecond fastest iteration
     */
    public record Point(String model, String preset, int batch, int threads, double rowsPerSecond,
            double minRowsPerSecond, double maxRowsPerSecond) {
    }

    /** How long JMH measures each point. */
    public record Timing(int warmupIterations, int warmupMillis, int iterations,
            int iterationMillis) {
    }

    private final Timing timing;
    private final String device;

    /** @param device the {@code inference.device} of every point ({@code cpu}, {@code cuda}) */
    public ModelCeiling(Timing timing, String device) {
        this.timing = timing;
        this.device = device;
    }

    /**
     * Measures each of {@code models} at each of {@code batches} with {@code threads} callers.
     *
     * @param modelsDir a directory with manifest.json, or null for the bundled models
     * @param preset the name reported for that model set
     */
    public List<Point> measure(Collection<String> models, Collection<Integer> batches, int threads,
            String modelsDir, String preset) throws RunnerException {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(ModelBenchmark.class.getName() + ".run")
                .param("model", models.toArray(String[]::new))
                .param("batch", batches.stream().map(String::valueOf).toArray(String[]::new))
                .param("modelsDir", modelsDir == null ? ModelBenchmark.BUNDLED : modelsDir)
                .param("device", device)
                .threads(threads).forks(1).warmupIterations(timing.warmupIterations())
                .warmupTime(TimeValue.milliseconds(timing.warmupMillis()))
                .measurementIterations(timing.iterations())
                .measurementTime(TimeValue.milliseconds(timing.iterationMillis()))
                .jvmArgsAppend("-Xmx1g", "-XX:MaxDirectMemorySize=512m").shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT);
        List<Point> points = new ArrayList<>();
        for (RunResult r : new Runner(options.build()).run()) {
            int batch = Integer.parseInt(r.getParams().getParam("batch"));
            var stats = r.getPrimaryResult().getStatistics();
            points.add(new Point(r.getParams().getParam("model"), preset, batch, threads,
                    stats.getPercentile(50) * batch, stats.getMin() * batch,
                            stats.getMax() * batch));
        }
        return points;
    }
}
