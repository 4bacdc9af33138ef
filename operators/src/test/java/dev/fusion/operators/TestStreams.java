package dev.fusion.operators;

import dev.fusion.models.manifest.Modality;
import java.util.List;

/** The bundled model set's streams, in its slot order, as the operators see them. */
public final class TestStreams {

    public static final Modality TEXT = new Modality("text", 0, Modality.Kind.TEXT);
    public static final Modality AUDIO = new Modality("audio", 1, Modality.Kind.FEATURES);
    public static final Modality IMAGE = new Modality("image", 2, Modality.Kind.FEATURES);
    public static final List<Modality> ALL = List.of(TEXT, AUDIO, IMAGE);
    /** M, the slots of the bundled integration models. */
    public static final int M = ALL.size();
    public static final int AUDIO_DIM = 128;
    public static final int IMAGE_DIM = 512;

    private TestStreams() {
    }

    /** The feature length of a bundled stream (0 for text). */
    public static int dim(Modality modality) {
        return modality == AUDIO ? AUDIO_DIM : modality == IMAGE ? IMAGE_DIM : 0;
    }
}
