package dev.fusion.bench.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The samples a {@link ProcessSampler} wrote: CPU between two instants, peaks within them. */
public final class Timeline {

    private record Sample(long wallMillis, long cpuNanos, long heapBytes, long rssKb) {
    }

    private final List<Sample> samples;

    private Timeline(List<Sample> samples) {
        this.samples = samples;
    }

    public static Timeline read(Path file) {
        List<Sample> samples = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.isBlank() || !Character.isDigit(line.charAt(0))) {
                    continue;
                }
                String[] f = line.split(",");
                samples.add(new Sample(Long.parseLong(f[0]), Long.parseLong(f[1]),
                        Long.parseLong(f[2]), Long.parseLong(f[3])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (samples.isEmpty()) {
            throw new IllegalStateException(file + " holds no samples");
        }
        return new Timeline(samples);
    }

    /** Process CPU time at {@code wallMillis}, interpolated between the nearest samples. */
    long cpuNanosAt(long wallMillis) {
        Sample before = samples.get(0);
        if (wallMillis <= before.wallMillis) {
            return before.cpuNanos;
        }
        for (Sample s : samples) {
            if (s.wallMillis >= wallMillis) {
                double f = (double) (wallMillis - before.wallMillis) / Math.max(1,
                        s.wallMillis - before.wallMillis);
                return before.cpuNanos + (long) (f * (s.cpuNanos - before.cpuNanos));
            }
            before = s;
        }
        return before.cpuNanos;
    }

    /** CPU seconds spent in {@code [from, to]}. */
    public double cpuSeconds(long fromMillis, long toMillis) {
        return (cpuNanosAt(toMillis) - cpuNanosAt(fromMillis)) / 1e9;
    }

    /** Largest sampled heap in use, in bytes. */
    long maxHeapBytes() {
        return samples.stream().mapToLong(Sample::heapBytes).max().orElse(-1);
    }

    /** Largest sampled RSS, in kB. */
    long maxRssKb() {
        return samples.stream().mapToLong(Sample::rssKb).max().orElse(-1);
    }
}
