package dev.fusion.bench.pipeline;

/**
 * One pipeline configuration to measure.
 *
 * @param name short label (CSV, charts)
 * @param parallelism {@code job.parallelism}
 * @param batchSize {@code inference.batch-size}
 * @param passThrough inference replaced by the pass-through (the I/O ceiling)
 * @param modelsDir {@code models.dir}, or null for the bundled models
 * @param latestPolicy {@code align.policy: latest} instead of {@code window}
 * @param options further job options
 */
public record RunSpec(String name, int parallelism, int batchSize, boolean passThrough,
        String modelsDir, boolean latestPolicy, java.util.Map<String, String> options) {

    public RunSpec {
        options = java.util.Map.copyOf(options);
    }

    /** The same configuration under another name. */
    public RunSpec named(String newName) {
        return new RunSpec(newName, parallelism, batchSize, passThrough, modelsDir, latestPolicy,
                options);
    }

    /** A configuration with no further job options. */
    public RunSpec(String name, int parallelism, int batchSize, boolean passThrough,
            String modelsDir, boolean latestPolicy) {
        this(name, parallelism, batchSize, passThrough, modelsDir, latestPolicy,
                java.util.Map.of());
    }
}
