package dev.fusion.jobs.demo;

/**
 * The fused outputs of one second of event time (seconds since the producers started): what the
 * routing made of the inputs of that second, whenever the job got to them.
 *
 * @param second event-time second since the producers started
 * @param fused outputs of that second
 * @param judged outputs of entities whose class the producer knows (0 without ground truth)
 * @param correct outputs whose top class is the producer's truth
 * @param weightSums sum of each stream's fusion weight over those outputs
 */
record EventSecond(long second, long fused, long judged, long correct, double[] weightSums) {

    double accuracy() {
        return judged == 0 ? Double.NaN : (double) correct / judged;
    }

    double meanWeight(int stream) {
        return fused == 0 ? Double.NaN : weightSums[stream] / fused;
    }
}
