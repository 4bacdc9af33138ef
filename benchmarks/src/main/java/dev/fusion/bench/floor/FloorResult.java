package dev.fusion.bench.floor;

/**
 * One floor run to completion. The job makes one fused record of three input events (a sample),
 * so its figures compare with the floor's per fused equivalent, three inputs.
 *
 * @param trial 1-based trial number
 * @param inputRecords input records the run had to copy (three per sample)
 * @param outputRecords committed output records (one per input expected)
 * @param duplicates output records of an input an earlier one already accounted for (0 expected)
 * @param missing inputs with no output record (0 expected)
 * @param unexpected output records of no input of the run (0 expected)
 * @param inputsPerSecond input records copied per second, from one second after the first
 *     output's emission to the last (the JVM was warmed up before), as the pipeline runs count
 * @param wallSeconds from the measured pass's start to its end (client start-up and the last
 *     commit included)
 * @param cpuMicrosPerFusedEquivalent the floor JVM's CPU time over the same span, per three
 *     inputs copied
 * @param brokerCpuMicrosPerFusedEquivalent the harness JVM's CPU (broker) during the run, per
 *     three inputs copied
 * @param outputBytesPerRecord mean size of an output record's value (a fused record)
 * @param peakHeapBytes sum of the heap pools' peaks in the floor JVM
 * @param vmHwmKb peak resident set size of the floor JVM
 * @param loadAverage one-minute load average when the run ended
 */
public record FloorResult(int trial, long inputRecords, long outputRecords, long duplicates,
        long missing, long unexpected, double inputsPerSecond, double wallSeconds,
        double cpuMicrosPerFusedEquivalent, double brokerCpuMicrosPerFusedEquivalent,
        double outputBytesPerRecord, long peakHeapBytes, long vmHwmKb, double loadAverage) {

    /** Input events per fused record of the job. */
    public static final int INPUTS_PER_FUSED = 3;

    /** {@link #inputsPerSecond} in the job's unit: fused records per second. */
    public double fusedEquivalentPerSecond() {
        return inputsPerSecond / INPUTS_PER_FUSED;
    }

    /** Whether the output holds exactly one record of every input and nothing else. */
    public boolean exact() {
        return outputRecords == inputRecords && duplicates == 0 && missing == 0 && unexpected == 0;
    }
}
