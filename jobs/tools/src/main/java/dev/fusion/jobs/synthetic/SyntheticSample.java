package dev.fusion.jobs.synthetic;

/**
 * One draw of the synthetic distribution: the true class and each view (null when absent).
 *
 * @param classId ground-truth class
 * @param text text view or null
 * @param audio audio features or null
 * @param image image features or null
 * @param corrupted per modality (text, audio, image): whether the view is pure noise
 */
public record SyntheticSample(int classId, String text, float[] audio, float[] image,
        boolean[] corrupted) {
}
