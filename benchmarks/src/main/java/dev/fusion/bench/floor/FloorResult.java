package dev.fusion.bench.floor;

/**
 * One floor run to completion, in the job's unit: one fused record per sample (three input
 * events), so its figures compare with the pipeline runs' directly.
 *
 * @param trial 1-based trial number
 * @param inputRecords input records the run had to read (three per sample)
 * @param samples samples of the run: one output record each expected
 * @param outputRecords committed output records
 * @param duplicates output records of a sample an earlier one already accounted for (0 expected)
 * @param missing samples with no output record (0 expected)
 * @param unexpected output records of no sample of the run (0 expected)
 * @param fusedPerSecond output records per second, from one second after the first output's
 *     emission to the last or to the end of the input (whichever is later), as the pipeline runs
 *     count (the JVM was warmed up before)
 * @param wallSeconds from the measured pass's start to its end (client start-up and the last
 *     commits included)
 * @param cpuMicrosPerFused the floor JVM's CPU time over the same span, per output record
 * @param brokerCpuMicrosPerFused the harness JVM's CPU (broker) during the run, per output record
 * @param outputBytesPerRecord mean size of an output record's value (a fused record)
 * @param peakHeapBytes sum of the heap pools' peaks in the floor JVM
 * @param vmHwmKb peak resident set size of the floor JVM
 * @param loadAverage one-minute load average when the run ended
 */
public record FloorResult(int trial, long inputRecords, long samples, long outputRecords,
        long duplicates, long missing, long unexpected, double fusedPerSecond,
        double wallSeconds, double cpuMicrosPerFused, double brokerCpuMicrosPerFused,
        double outputBytesPerRecord, long peakHeapBytes, long vmHwmKb, double loadAverage) {

    /** Input events per fused record: a sample's text, audio and image event. */
    public static final int INPUTS_PER_FUSED = 3;

    /** Whether the output holds exactly one record of every sample and nothing else. */
    public boolean exact() {
        return outputRecords == samples && duplicates == 0 && missing == 0 && unexpected == 0;
    }
}
