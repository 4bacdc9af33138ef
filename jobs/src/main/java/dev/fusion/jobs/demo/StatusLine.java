package dev.fusion.jobs.demo;

import dev.fusion.jobs.synthetic.SyntheticLoad;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * One line per second: inputs, outputs, latency, accuracy and modality weights of that second,
 * and the streams the job reports degraded.
 */
final class StatusLine {

    private final SyntheticLoad load;
    private final LiveStats stats;
    private final StreamHealthProbe health;
    private final PrintStream out;
    private long[] lastProduced = new long[3];
    private long lastAt;

    StatusLine(SyntheticLoad load, LiveStats stats, StreamHealthProbe health, PrintStream out) {
        this.load = load;
        this.stats = stats;
        this.health = health;
        this.out = out;
        this.lastAt = System.currentTimeMillis();
    }

    void print() {
        long now = System.currentTimeMillis();
        double seconds = Math.max(0.001, (now - lastAt) / 1000.0);
        long[] produced = load.produced();
        long in = 0;
        for (int m = 0; m < 3; m++) {
            in += produced[m] - lastProduced[m];
        }
        LiveStats.Phase second = stats.drainWindow();
        long elapsed = load.startedAt() == 0 ? 0 : (now - load.startedAt()) / 1000;
        out.println(String.format(Locale.ROOT,
                "[%3ds] in t/a/i %6d/%6d/%6d (%5.0f/s) | fused %5.0f/s | dlq %d dropped %d"
                        + " | latency p50 %4s p99 %4s ms | acc %s | weights t %s a %s i %s%s",
                elapsed, produced[0], produced[1], produced[2], in / seconds, second.fused / seconds,
                stats.deadLetters(), stats.dropped(), ms(LiveStats.quantile(second.latencies, 0.5)),
                ms(LiveStats.quantile(second.latencies, 0.99)), pct(second.accuracy()),
                weight(second.meanWeight(0)), weight(second.meanWeight(1)), weight(second.meanWeight(2)),
                load.corrupting() ? " [corrupting]" : "") + degraded(health.latest()));
        lastProduced = produced;
        lastAt = now;
    }

    /** " | DEGRADED audio (mean gate 0.004)" for the degraded streams, or nothing. */
    static String degraded(Map<String, StreamHealthProbe.Health> streams) {
        StringBuilder sb = new StringBuilder();
        streams.forEach((stream, h) -> {
            if (h.degraded()) {
                sb.append(sb.length() == 0 ? " | DEGRADED " : ", ").append(stream)
                        .append(String.format(Locale.ROOT, " (mean gate %.3f)", h.meanGate()));
            }
        });
        return sb.toString();
    }

    static String ms(long v) {
        return v < 0 ? "-" : Long.toString(v);
    }

    static String pct(double v) {
        return Double.isNaN(v) ? "  -  " : String.format(Locale.ROOT, "%5.1f%%", 100 * v);
    }

    static String weight(double v) {
        return Double.isNaN(v) ? " - " : String.format(Locale.ROOT, "%.2f", v);
    }
}
