package dev.fusion.models.inference;

/**
 * One row of a batch is unusable (wrong length, NaN, no modality); {@link #row()} says which, so
 * the caller can dead-letter that record and run the rest.
 */
public class InvalidInputException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final int row;
    private final String field;

    public InvalidInputException(String modelLabel, int row, String field, String problem) {
        super(modelLabel + ": row " + row + ": '" + field + "' " + problem);
        this.row = row;
        this.field = field;
    }

    /** Index of the offending row in the batch. */
    public int row() {
        return row;
    }

    /** The offending input, e.g. {@code features}, {@code text}, {@code audio.embedding}. */
    public String field() {
        return field;
    }
}
