package dev.fusion.bench.report;

import dev.fusion.bench.floor.FloorResult;
import dev.fusion.bench.model.ModelCeiling;
import dev.fusion.bench.pipeline.CheckpointLog;
import dev.fusion.bench.pipeline.LatencyResult;
import dev.fusion.bench.pipeline.RunSpec;
import dev.fusion.bench.pipeline.ThroughputResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The raw measurements of a run as CSV: models.csv, pipeline.csv, latency.csv; and figures.csv. */
final class CsvFiles {

    private CsvFiles() {
    }

    static void write(Path dir, Report report) throws IOException {
        try (PrintWriter out = writer(dir, "models.csv")) {
            out.println("model,preset,batch,threads,rows_per_s_median,rows_per_s_min,"
                    + "rows_per_s_max");
            for (ModelCeiling.Point p : report.models) {
                out.printf(Locale.ROOT, "%s,%s,%d,%d,%.1f,%.1f,%.1f%n", p.model(), p.preset(),
                        p.batch(), p.threads(),
                        p.rowsPerSecond(), p.minRowsPerSecond(), p.maxRowsPerSecond());
            }
        }
        try (PrintWriter out = writer(dir, "pipeline.csv")) {
            out.println("config,trial,parallelism,batch_size,inference,models,alignment,"
                    + "input_events,fused,"
                    + "expected_fused,dead_letters,dropped,fused_per_s,wall_s,job_cpu_us_per_fused,"
                    + "broker_cpu_us_per_fused,peak_heap_mb,peak_rss_mb,load_average,"
                    + "checkpoint_interval_ms,exactly_once,checkpoints,checkpoint_median_ms,"
                    + "checkpoint_max_ms,peak_state_bytes,entities");
            for (ThroughputResult r : report.throughput) {
                out.printf(Locale.ROOT,
                        "%s,%d,%d,%d,%s,%s,%s,%d,%d,%d,%d,%d,%.1f,%.2f,%.2f,%.2f,%.1f,%.1f,%.2f,%s%n",
                        r.spec().name(), r.trial(), r.spec().parallelism(), r.spec().batchSize(),
                        r.spec().passThrough() ? "pass-through" : "onnx",
                                models(r.spec().modelsDir()),
                        r.spec().latestPolicy() ? "latest" : "window", r.inputEvents(), r.fused(),
                                r.expectedFused(),
                        r.deadLetters(), r.dropped(), r.fusedPerSecond(), r.wallSeconds(),
                                r.cpuMicrosPerFused(),
                        r.brokerCpuMicrosPerFused(), r.peakHeapBytes() / 1048576.0,
                                r.vmHwmKb() / 1024.0, r.loadAverage(),
                        checkpointColumns(r.spec(), r.checkpoints()) + "," + entities(r.spec()));
            }
        }
        try (PrintWriter out = writer(dir, "latency.csv")) {
            out.println("load,trial,target_events_per_s,sent_events_per_s,fused_in_window,"
                    + "expected_in_window,emitted_fused_per_s,internal_p50_ms,internal_p99_ms,internal_p999_ms,"
                    + "visible_p50_ms,visible_p99_ms,visible_p999_ms,job_cpu_us_per_fused,"
                    + "harness_cpu_us_per_event,producer_max_lag_ms,"
                    + "peak_heap_mb,peak_rss_mb,load_average,config,checkpoint_interval_ms,"
                    + "exactly_once,checkpoints,checkpoint_median_ms,checkpoint_max_ms,"
                    + "peak_state_bytes");
            List<LatencyResult> rows = new java.util.ArrayList<>();
            rows.addAll(report.calibration);
            rows.addAll(report.latency);
            rows.addAll(report.sweep);
            for (LatencyResult r : rows) {
                out.printf(Locale.ROOT,
                        "%s,%d,%.1f,%.1f,%d,%d,%.1f,%d,%d,%d,%d,%d,%d,%.2f,%.2f,%d,%.1f,%.1f,%.2f,%s,%s%n",
                        report.calibration.contains(r) ? "calibration" : String.format(Locale.ROOT,
                                "%.2f", r.loadFraction()), r.trial(), r.targetEventsPerSecond(),
                                r.sentEventsPerSecond(),
                        r.fusedInWindow(), r.expectedInWindow(), r.emittedPerSecond(),
                        r.internalP50(), r.internalP99(),
                                r.internalP999(),
                        r.visibleP50(), r.visibleP99(), r.visibleP999(), r.cpuMicrosPerFused(),
                        r.harnessCpuMicrosPerFused(), r.producerMaxLagMillis(),
                                r.peakHeapBytes() / 1048576.0,
                        r.vmHwmKb() / 1024.0, r.loadAverage(), r.spec().name(),
                        checkpointColumns(r.spec(), r.checkpoints()));
            }
        }
        try (PrintWriter out = writer(dir, "floor.csv")) {
            out.println("trial,input_events,samples,output_records,duplicates,missing,unexpected,"
                    + "fused_per_s,wall_s,cpu_us_per_fused,broker_cpu_us_per_fused,"
                    + "output_bytes_per_record,peak_heap_mb,peak_rss_mb,load_average");
            for (FloorResult r : report.floor) {
                out.printf(Locale.ROOT, "%d,%d,%d,%d,%d,%d,%d,%.1f,%.2f,%.2f,%.2f,%.1f,%.1f,%.1f,"
                                + "%.2f%n", r.trial(), r.inputRecords(), r.samples(),
                        r.outputRecords(), r.duplicates(), r.missing(), r.unexpected(),
                        r.fusedPerSecond(), r.wallSeconds(), r.cpuMicrosPerFused(),
                        r.brokerCpuMicrosPerFused(), r.outputBytesPerRecord(),
                        r.peakHeapBytes() / 1048576.0, r.vmHwmKb() / 1024.0, r.loadAverage());
            }
        }
        Report.Figures f = report.figures();
        try (PrintWriter out = writer(dir, "figures.csv")) {
            out.println("figure,value,unit");
            out.printf(Locale.ROOT, "a_shipped,%.1f,fused/s%n", f.a());
            out.printf(Locale.ROOT, "b_batch1,%.1f,fused/s%n", f.b());
            out.printf(Locale.ROOT, "c_model_ceiling,%.1f,fused/s%n", f.c());
            out.printf(Locale.ROOT, "c_model_ceiling_batch1,%.1f,fused/s%n", f.c1());
            out.printf(Locale.ROOT, "d_io_ceiling,%.1f,fused/s%n", f.d());
            out.printf(Locale.ROOT, "ideal,%.1f,fused/s%n", f.ideal());
            out.printf(Locale.ROOT, "a_over_b,%.3f,ratio%n", f.aOverB());
            out.printf(Locale.ROOT, "a_over_ideal,%.3f,ratio%n", f.aOverIdeal());
            out.printf(Locale.ROOT, "batching_bound,%.3f,ratio%n", f.batchingBound());
            out.printf(Locale.ROOT, "internal_p99_at_50pct,%.1f,ms%n", f.p99AtHalfLoad());
            out.printf(Locale.ROOT, "visible_p99_at_50pct,%.1f,ms%n", f.visibleP99AtHalfLoad());
            out.printf(Locale.ROOT, "raw_floor,%.1f,fused/s%n", f.floor());
            out.printf(Locale.ROOT, "d_over_floor,%.3f,ratio%n", f.dOverFloor());
            for (String preset : java.util.List.of("shipped", "small", "medium", "large")) {
                Report.Batching b = report.batching(preset);
                out.printf(Locale.ROOT, "batching_%s_a_over_b,%.3f,ratio%n", preset, b.ratio());
                out.printf(Locale.ROOT, "batching_%s_ideal_ratio,%.3f,ratio%n", preset, b.bound());
            }
            out.printf(Locale.ROOT, "wall_time,%.1f,s%n", report.wallSeconds);
        }
    }

    /** Interval (ms), exactly once, and the checkpoints the job completed. */
    private static String checkpointColumns(RunSpec spec, CheckpointLog log) {
        return String.format(Locale.ROOT, "%d,%b,%d,%d,%d,%d", Report.interval(spec).toMillis(),
                Report.exactlyOnce(spec), log.completed(), log.medianDurationMillis(),
                log.maxDurationMillis(), log.peakStateBytes());
    }

    /** The key space of a key-space run, else empty. */
    private static String entities(RunSpec spec) {
        return spec.name().startsWith("keyspace-") ? spec.name().substring("keyspace-".length())
                : "";
    }

    private static PrintWriter writer(Path dir, String name) throws IOException {
        return new PrintWriter(Files.newBufferedWriter(dir.resolve(name)));
    }

    static String models(String dir) {
        return dir == null ? "shipped" : Path.of(dir).getFileName().toString();
    }
}
