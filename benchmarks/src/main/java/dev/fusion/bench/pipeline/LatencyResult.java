package dev.fusion.bench.pipeline;

/**
 * One open-loop run at a fixed input rate.
 *
 * @param spec the configuration
 * @param trial 1-based trial number
 * @param loadFraction the rate as a fraction of the measured maximum
 * @param targetEventsPerSecond the scheduled input rate
 * @param sentEventsPerSecond events acknowledged by the broker per second of the whole run
 * @param fusedInWindow fusions with an event time in the measurement window that became visible
 * @param expectedInWindow fusions the events scheduled in the window must give
 * @param emittedPerSecond fusions emitted per second during the window, whatever their event time
 * @param internalP50 job-internal latency {@code emitted_at - event_time} (ms), median
 * @param internalP99 its 99th percentile
 * @param internalP999 its 99.9th percentile
 * @param visibleP50 latency to visibility for a read_committed consumer (ms), median
 * @param visibleP99 its 99th percentile
 * @param visibleP999 its 99.9th percentile
 * @param cpuMicrosPerFused the job JVM's CPU time in the window per fusion in the window
 * @param harnessCpuMicrosPerFused the harness JVM's (broker, load generator, probe) likewise
 * @param producerMaxLagMillis the longest the load generator ran behind its schedule
 * @param peakHeapBytes sum of the heap pools' peaks in the job JVM
 * @param vmHwmKb peak resident set size of the job JVM
 * @param loadAverage one-minute load average at the end
 * @param checkpoints the job's completed checkpoints (sizes, durations)
 */
public record LatencyResult(RunSpec spec, int trial, double loadFraction,
        double targetEventsPerSecond,
        double sentEventsPerSecond, long fusedInWindow, long expectedInWindow, double emittedPerSecond, long internalP50,
        long internalP99, long internalP999, long visibleP50, long visibleP99, long visibleP999,
        double cpuMicrosPerFused, double harnessCpuMicrosPerFused, long producerMaxLagMillis,
        long peakHeapBytes, long vmHwmKb, double loadAverage, CheckpointLog checkpoints) {
}
