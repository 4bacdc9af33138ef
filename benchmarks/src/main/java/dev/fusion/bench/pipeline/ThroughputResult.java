package dev.fusion.bench.pipeline;

/**
 * One bounded run to completion.
 *
 * @param spec the configuration
 * @param trial 1-based trial number
 * @param inputEvents events the run read
 * @param fused committed fused records
 * @param expectedFused fused records the input must give (one per sample with window alignment,
 *     one per event with latest)
 * @param deadLetters committed dead letters (0 expected)
 * @param dropped committed dropped records (0 expected)
 * @param fusedPerSecond fused records per second, from one second after the first emission to
 *     the last (the JVM was warmed up before the run)
 * @param wallSeconds from submission to the job's end (start-up and the last commit included)
 * @param cpuMicrosPerFused the job JVM's CPU time over the same span, per fused record
 * @param brokerCpuMicrosPerFused the harness JVM's CPU (broker) during the run, per fused record
 * @param peakHeapBytes sum of the heap pools' peaks in the job JVM
 * @param vmHwmKb peak resident set size of the job JVM
 * @param loadAverage one-minute load average when the run ended
 * @param checkpoints the measured job's completed checkpoints (sizes, durations)
 */
public record ThroughputResult(RunSpec spec, int trial, long inputEvents, long fused,
        long expectedFused,
        long deadLetters, long dropped, double fusedPerSecond, double wallSeconds,
                double cpuMicrosPerFused,
        double brokerCpuMicrosPerFused, long peakHeapBytes, long vmHwmKb, double loadAverage,
        CheckpointLog checkpoints) {

    /** Whether every input is accounted for by exactly the expected output. */
    public boolean exact() {
        return fused == expectedFused && deadLetters == 0 && dropped == 0;
    }
}
