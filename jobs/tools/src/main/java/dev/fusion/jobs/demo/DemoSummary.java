package dev.fusion.jobs.demo;

import dev.fusion.jobs.synthetic.SyntheticLoad;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The end-of-demo summary: totals, accounting, latency, accuracy against baselines, weights and
 * the streams the job reported degraded.
 */
final class DemoSummary {

    /**
     * The offline baselines the live accuracy is judged against, or why there is no accuracy
     * (the model directory has no matching generator.json).
     */
    record Accuracy(Baselines baselines, String unavailableBecause) {

        static Accuracy measured(Baselines baselines) {
            return new Accuracy(baselines, null);
        }

        static Accuracy unavailable(String why) {
            return new Accuracy(null, why);
        }
    }

    private final SyntheticLoad load;
    private final LiveStats stats;
    private final Accuracy accuracy;
    /** Stream name to the demo time (ms) the job first reported it degraded. */
    private final Map<String, Long> firstDegraded;
    private final long producingMillis;
    private final DemoSettings settings;

    DemoSummary(SyntheticLoad load, LiveStats stats, Accuracy accuracy,
            Map<String, Long> firstDegraded, long producingMillis, DemoSettings settings) {
        this.load = load;
        this.stats = stats;
        this.accuracy = accuracy;
        this.firstDegraded = firstDegraded;
        this.producingMillis = producingMillis;
        this.settings = settings;
    }

    void print(PrintStream out) {
        long[] p = load.produced();
        List<String> names = load.streams().stream().map(m -> m.id()).toList();
        long produced = Arrays.stream(p).sum();
        LiveStats.Phase before = stats.phase(0);
        LiveStats.Phase after = stats.phase(1);
        long fused = before.fused + after.fused;
        double seconds = producingMillis / 1000.0;
        List<Long> latencies = new ArrayList<>(before.latencies);
        latencies.addAll(after.latencies);
        out.println();
        out.println("==================== demo summary ====================");
        StringBuilder perStream = new StringBuilder();
        for (int m = 0; m < p.length; m++) {
            perStream.append(m == 0 ? "" : ", ").append(names.get(m)).append(' ').append(p[m]);
        }
        out.printf(Locale.ROOT, "input      %d events in %.1f s (%.0f/s): %s%n",
                produced, seconds, produced / seconds, perStream);
        out.printf(Locale.ROOT, "output     %d fused (%.0f/s), %d dead letters, %d dropped%n", fused,
                fused / seconds, stats.deadLetters(), stats.dropped());
        long accounted = stats.accounted();
        out.printf(Locale.ROOT, "accounting %d of %d input events accounted for (fused, dead letter or dropped)%s%n",
                accounted, produced, accounted == produced ? ": exact" : ": MISMATCH");
        out.printf(Locale.ROOT, "latency    visible end to end (commit included, after a %d s"
                        + " warm-up), p50 %d ms, p99 %d ms, p99.9 %d ms%n", DemoCommand.WARM_UP_MILLIS / 1000,
                LiveStats.quantile(latencies, 0.5), LiveStats.quantile(latencies, 0.99),
                LiveStats.quantile(latencies, 0.999));
        if (accuracy.baselines() == null) {
            out.println("accuracy   unavailable: " + accuracy.unavailableBecause());
        } else {
            printAccuracy(out, before, after, accuracy.baselines());
        }
        out.printf(Locale.ROOT, "weights    mean %s %s%s%n", String.join("/", names),
                weights(before, p.length), settings.corrupting() && after.fused > 0
                        ? " before, " + weights(after, p.length) + " with " + settings.corruptName
                                + " corrupted" : "");
        out.println(health(firstDegraded, settings));
        out.println("======================================================");
    }

    /** "0.41/0.22/0.37": each stream's mean weight in a phase. */
    private static String weights(LiveStats.Phase phase, int streams) {
        StringBuilder sb = new StringBuilder();
        for (int m = 0; m < streams; m++) {
            sb.append(m == 0 ? "" : "/").append(StatusLine.weight(phase.meanWeight(m)));
        }
        return sb.toString();
    }

    private void printAccuracy(PrintStream out, LiveStats.Phase before, LiveStats.Phase after,
            Baselines baselines) {
        out.printf(Locale.ROOT, "accuracy   pipeline (live, %s fusion) %s%s%n", settings.mode,
                StatusLine.pct(before.accuracy()), settings.corrupting()
                        ? " before corruption, " + StatusLine.pct(after.accuracy()) + " with "
                                + settings.corruptName + " corrupted" : "");
        out.printf(Locale.ROOT, "baselines  same models offline on %d samples: text alone %s, audio alone %s,"
                        + " image alone %s, all present fused %s%n", baselines.samples(),
                StatusLine.pct(baselines.single()[0]), StatusLine.pct(baselines.single()[1]),
                StatusLine.pct(baselines.single()[2]), StatusLine.pct(baselines.fused()));
        double margin = before.accuracy() - baselines.bestSingle();
        out.printf(Locale.ROOT, "           live fused accuracy is %+.1f points %s the best single modality%n",
                100 * Math.abs(margin), margin >= 0 ? "above" : "BELOW");
    }

    /** "health     audio degraded from 41 s (11 s after its corruption)", or that none was. */
    static String health(Map<String, Long> firstDegraded, DemoSettings settings) {
        if (firstDegraded.isEmpty()) {
            return "health     no stream reported degraded";
        }
        StringBuilder sb = new StringBuilder("health     ");
        new TreeMap<>(firstDegraded).forEach((stream, at) -> {
            if (sb.length() > "health     ".length()) {
                sb.append(", ");
            }
            sb.append(stream).append(" degraded from ").append(at / 1000).append(" s");
            if (stream.equals(settings.corruptName)) {
                sb.append(String.format(Locale.ROOT, " (%.0f s after its corruption)",
                        (at - settings.corruptAt.toMillis()) / 1000.0));
            }
        });
        return sb.toString();
    }
}
