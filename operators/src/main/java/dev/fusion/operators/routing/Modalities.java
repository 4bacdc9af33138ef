package dev.fusion.operators.routing;

import dev.fusion.schemas.Modality;

/** Maps the contract's modality enum to the model runtime's. */
public final class Modalities {

    private Modalities() {
    }

    /** The model runtime's modality for a contract modality. */
    public static dev.fusion.models.manifest.Modality toModel(Modality modality) {
        return switch (modality) {
            case TEXT -> dev.fusion.models.manifest.Modality.TEXT;
            case AUDIO -> dev.fusion.models.manifest.Modality.AUDIO;
            case IMAGE -> dev.fusion.models.manifest.Modality.IMAGE;
        };
    }
}
