package dev.fusion.operators.routing;

import dev.fusion.schemas.Modality;
import java.util.Locale;

/** Names the contract's modalities as the model manifest does. */
public final class Modalities {

    private Modalities() {
    }

    /** The manifest's name of a contract modality: {@code text}, {@code audio}, {@code image}. */
    public static String id(Modality modality) {
        return modality.name().toLowerCase(Locale.ROOT);
    }
}
