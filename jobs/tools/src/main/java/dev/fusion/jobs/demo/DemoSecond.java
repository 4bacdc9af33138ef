package dev.fusion.jobs.demo;

/**
 * One second of the demo, as its status line prints it and its live page plots it.
 *
 * @param elapsedSeconds seconds since the producers started
 * @param produced events produced so far, per stream (text, audio, image)
 * @param inPerSecond events produced per second in this second
 * @param fusedPerSecond committed fused outputs per second in this second
 * @param deadLetters dead letters committed so far
 * @param dropped dropped events committed so far
 * @param p50Millis visible end-to-end latency of this second's outputs, median; -1 if none
 * @param p99Millis the same, 99th percentile; -1 if none
 * @param accuracy share of this second's outputs whose top class is the truth; NaN if none
 * @param weights mean fusion weight of each stream in this second's outputs; NaN if none
 * @param corrupting whether the corrupted stream was being corrupted
 */
record DemoSecond(long elapsedSeconds, long[] produced, double inPerSecond, double fusedPerSecond,
        long deadLetters, long dropped, long p50Millis, long p99Millis, double accuracy,
        double[] weights, boolean corrupting) {
}
