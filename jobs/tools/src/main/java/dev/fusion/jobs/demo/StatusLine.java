package dev.fusion.jobs.demo;

import dev.fusion.jobs.synthetic.SyntheticLoad;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * One line per second: inputs, outputs, latency, accuracy and modality weights of that second,
 * and the streams the job reports degraded; the same second goes to the live page's timeline.
 */
final class StatusLine {

    private final SyntheticLoad load;
    private final LiveStats stats;
    private final StreamHealthProbe health;
    private final PrintStream out;
    private final DemoTimeline timeline;
    private long[] lastProduced = new long[3];
    private long lastAt;

    StatusLine(SyntheticLoad load, LiveStats stats, StreamHealthProbe health, PrintStream out,
            DemoTimeline timeline) {
        this.load = load;
        this.stats = stats;
        this.health = health;
        this.out = out;
        this.timeline = timeline;
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
        LiveStats.Phase window = stats.drainWindow();
        DemoSecond second = new DemoSecond(load.startedAt() == 0 ? 0 : (now - load.startedAt()) / 1000,
                produced, in / seconds, window.fused / seconds, stats.deadLetters(), stats.dropped(),
                LiveStats.quantile(window.latencies, 0.5), LiveStats.quantile(window.latencies, 0.99),
                window.accuracy(), new double[] {window.meanWeight(0), window.meanWeight(1),
                    window.meanWeight(2)}, load.corrupting());
        out.println(format(second) + degraded(health.latest()));
        timeline.add(second);
        lastProduced = produced;
        lastAt = now;
    }

    static String format(DemoSecond s) {
        long[] p = s.produced();
        double[] w = s.weights();
        return String.format(Locale.ROOT,
                "[%3ds] in t/a/i %6d/%6d/%6d (%5.0f/s) | fused %5.0f/s | dlq %d dropped %d"
                        + " | latency p50 %4s p99 %4s ms | acc %s | weights t %s a %s i %s%s",
                s.elapsedSeconds(), p[0], p[1], p[2], s.inPerSecond(), s.fusedPerSecond(),
                s.deadLetters(), s.dropped(), ms(s.p50Millis()), ms(s.p99Millis()),
                pct(s.accuracy()), weight(w[0]), weight(w[1]), weight(w[2]),
                s.corrupting() ? " [corrupting]" : "");
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
