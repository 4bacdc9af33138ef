package dev.fusion.bench.pipeline;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Samples this process every {@code periodMillis}: wall clock, CPU time of all threads
 * ({@code OperatingSystemMXBean#getProcessCpuTime}), heap in use and resident set size. Each
 * sample is a line of the timeline file, flushed at once, so a reader can take the CPU spent
 * between any two instants of a run without counting JVM start-up or shutdown.
 */
public final class ProcessSampler implements AutoCloseable {

    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final PrintWriter out;
    private final Thread thread;
    private volatile boolean running = true;

    public ProcessSampler(Path timeline, long periodMillis) {
        try {
            this.out = new PrintWriter(Files.newBufferedWriter(timeline));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + timeline, e);
        }
        out.println("wall_ms,cpu_ns,heap_used_bytes,rss_kb");
        thread = new Thread(() -> {
            while (running) {
                sample();
                try {
                    Thread.sleep(periodMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private synchronized void sample() {
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        out.printf("%d,%d,%d,%d%n", System.currentTimeMillis(), os.getProcessCpuTime(), heap,
                procStatusKb("VmRSS"));
        out.flush();
    }

    /** Process CPU time so far, in nanoseconds. */
    public long cpuNanos() {
        return os.getProcessCpuTime();
    }

    /** Sum of the heap pools' peak usage (an upper bound of the heap's peak; pools peak apart). */
    public static long peakHeapBytes() {
        long sum = 0;
        List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans();
        for (MemoryPoolMXBean pool : pools) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    /** A {@code kB} field of /proc/self/status (VmRSS, VmHWM), or -1 where there is none. */
    public static long procStatusKb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).replace("kB",
                            "").trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample();
        out.close();
    }
}
