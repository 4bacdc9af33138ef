package dev.fusion.bench.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checkpoints one job completed, read back from its JVM's log: Flink's checkpoint coordinator
 * logs one line per completed checkpoint with the state size and the duration (the bench's job
 * JVMs log it at INFO: {@code log4j2-bench-child.properties}).
 *
 * @param completed checkpoints completed
 * @param medianDurationMillis median of their durations (trigger to acknowledgement by all tasks)
 * @param maxDurationMillis the longest
 * @param peakStateBytes the largest state size of a completed checkpoint (the whole job's state:
 *     the hash-map state backend writes full snapshots)
 */
public record CheckpointLog(int completed, long medianDurationMillis, long maxDurationMillis,
        long peakStateBytes) {

    /** No checkpoint completed, or none logged. */
    public static final CheckpointLog NONE = new CheckpointLog(0, -1, -1, -1);

    private static final Pattern COMPLETED = Pattern.compile(
            "Completed checkpoint \\d+ for job (\\w+) \\((\\d+) bytes, checkpointDuration=(\\d+) ms");

    /** {@link #peakStateBytes} in MiB, or NaN if no checkpoint completed. */
    public double peakStateMegabytes() {
        return completed == 0 ? Double.NaN : peakStateBytes / 1048576.0;
    }

    /** {@link #medianDurationMillis}, or NaN if no checkpoint completed. */
    public double medianMillis() {
        return completed == 0 ? Double.NaN : medianDurationMillis;
    }

    /** {@link #maxDurationMillis}, or NaN if no checkpoint completed. */
    public double maxMillis() {
        return completed == 0 ? Double.NaN : maxDurationMillis;
    }

    /** The checkpoints of the last job that logged one in {@code log} (a warm-up job precedes). */
    public static CheckpointLog read(Path log) throws IOException {
        if (!Files.exists(log)) {
            return NONE;
        }
        Map<String, List<long[]>> byJob = new LinkedHashMap<>();
        String last = null;
        for (String line : Files.readAllLines(log)) {
            Matcher m = COMPLETED.matcher(line);
            if (m.find()) {
                last = m.group(1);
                byJob.computeIfAbsent(last, k -> new ArrayList<>()).add(
                        new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(3))});
            }
        }
        return last == null ? NONE : of(byJob.get(last));
    }

    /** From (state bytes, duration ms) pairs. */
    static CheckpointLog of(List<long[]> checkpoints) {
        long[] durations = checkpoints.stream().mapToLong(c -> c[1]).sorted().toArray();
        long peak = checkpoints.stream().mapToLong(c -> c[0]).max().orElse(-1);
        return new CheckpointLog(durations.length, durations[durations.length / 2],
                durations[durations.length - 1], peak);
    }
}
