package dev.fusion.jobs.demo;

import dev.fusion.jobs.synthetic.SyntheticLoad;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Set;
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
    private long[] lastProduced;
    /** A short label per stream: its initial, or its name when two streams share an initial. */
    private final List<String> labels;
    private long lastAt;

    StatusLine(SyntheticLoad load, LiveStats stats, StreamHealthProbe health, PrintStream out,
            DemoTimeline timeline) {
        this.load = load;
        this.stats = stats;
        this.health = health;
        this.out = out;
        this.timeline = timeline;
        this.lastAt = System.currentTimeMillis();
        this.labels = labels(load.streams().stream().map(m -> m.id()).toList());
        this.lastProduced = new long[labels.size()];
    }

    /** {@code t, a, i} for text, audio, image; whole names when initials would repeat. */
    static List<String> labels(List<String> names) {
        List<String> initials = names.stream().map(n -> n.substring(0, 1)).toList();
        return Set.copyOf(initials).size() == initials.size() ? initials : names;
    }

    void print() {
        long now = System.currentTimeMillis();
        double seconds = Math.max(0.001, (now - lastAt) / 1000.0);
        long[] produced = load.produced();
        long in = 0;
        for (int m = 0; m < produced.length; m++) {
            in += produced[m] - lastProduced[m];
        }
        LiveStats.Phase window = stats.drainWindow();
        DemoSecond second = new DemoSecond(load.startedAt() == 0 ? 0 : (now - load.startedAt()) / 1000,
                produced, in / seconds, window.fused / seconds, stats.deadLetters(), stats.dropped(),
                LiveStats.quantile(window.latencies, 0.5), LiveStats.quantile(window.latencies, 0.99),
                window.accuracy(), meanWeights(window, produced.length), load.corrupting());
        out.println(format(second, labels) + degraded(health.latest()));
        timeline.add(second);
        lastProduced = produced;
        lastAt = now;
    }

    private static double[] meanWeights(LiveStats.Phase window, int streams) {
        double[] means = new double[streams];
        for (int m = 0; m < streams; m++) {
            means[m] = window.meanWeight(m);
        }
        return means;
    }

    /**
     * {@code [ 12s] in t/a/i 1200/ 980/1150 (3000/s) | ... | weights t 0.41 a 0.22 i 0.37}, with
     * one label, count and weight per stream.
     */
    static String format(DemoSecond s, List<String> labels) {
        long[] p = s.produced();
        double[] w = s.weights();
        StringBuilder counts = new StringBuilder();
        StringBuilder weights = new StringBuilder();
        for (int m = 0; m < labels.size(); m++) {
            counts.append(m == 0 ? "" : "/").append(String.format(Locale.ROOT, "%6d", p[m]));
            weights.append(m == 0 ? "" : " ").append(labels.get(m)).append(' ').append(weight(w[m]));
        }
        return String.format(Locale.ROOT,
                "[%3ds] in %s %s (%5.0f/s) | fused %5.0f/s | dlq %d dropped %d"
                        + " | latency p50 %4s p99 %4s ms | acc %s | weights %s%s",
                s.elapsedSeconds(), String.join("/", labels), counts, s.inPerSecond(),
                s.fusedPerSecond(), s.deadLetters(), s.dropped(), ms(s.p50Millis()),
                ms(s.p99Millis()), pct(s.accuracy()), weights,
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
