package dev.fusion.operators.metrics;

import dev.fusion.models.manifest.Modality;
import org.apache.flink.metrics.MetricGroup;

/**
 * The names of the job's per-stream metrics and the {@code stream} label they carry, so that
 * every operator spells them the same way (all are listed in docs/METRICS.md).
 */
public final class StreamMetrics {

    /** The label (Flink key-value group) that names the input stream a metric counts. */
    public static final String STREAM = "stream";

    public static final String RECORDS_IN = "recordsIn";
    public static final String RECORDS_IN_PER_SECOND = "recordsInPerSecond";
    public static final String DEAD_LETTERS_MALFORMED = "deadLettersMalformed";
    public static final String DEAD_LETTERS_UNKNOWN_SCHEMA = "deadLettersUnknownSchema";
    public static final String DEAD_LETTERS_INVALID = "deadLettersInvalid";
    public static final String DEAD_LETTERS_INFERENCE_FAILED = "deadLettersInferenceFailed";
    public static final String DROPPED_LATE = "droppedLate";
    public static final String DROPPED_FILTERED = "droppedFiltered";
    public static final String DROPPED_DUPLICATE = "droppedDuplicate";
    public static final String DROPPED_OVERFLOW = "droppedOverflow";
    public static final String MEAN_GATE = "meanGate";
    public static final String DEGRADED = "degraded";
    public static final String MEAN_WEIGHT = "meanWeight";

    private StreamMetrics() {
    }

    /** {@code group}'s subgroup for one stream: the metrics in it carry {@code stream=<name>}. */
    public static MetricGroup of(MetricGroup group, String stream) {
        return group.addGroup(STREAM, stream);
    }

    /** {@code group}'s subgroup for {@code modality}'s stream, labelled with its name. */
    public static MetricGroup of(MetricGroup group, Modality modality) {
        return of(group, modality.id());
    }
}
