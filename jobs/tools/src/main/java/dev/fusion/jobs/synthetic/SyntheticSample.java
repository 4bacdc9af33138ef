package dev.fusion.jobs.synthetic;

/**
 * One draw of the synthetic distribution: the true class and each stream's view, in slot order
 * (null when absent).
 *
 * @param classId ground-truth class
 * @param views per stream: a text (String), features (float[]) or null
 * @param corrupted per stream: whether the view is pure noise
 */
public record SyntheticSample(int classId, Object[] views, boolean[] corrupted) {

    /** The bundled text stream's view (slot 0), or null. */
    public String text() {
        return (String) views[SyntheticDistribution.TEXT];
    }

    /** The bundled audio stream's features (slot 1), or null. */
    public float[] audio() {
        return (float[]) views[SyntheticDistribution.AUDIO];
    }

    /** The bundled image stream's features (slot 2), or null. */
    public float[] image() {
        return (float[]) views[SyntheticDistribution.IMAGE];
    }
}
