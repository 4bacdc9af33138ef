package dev.fusion.it;

import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.operators.records.RoutedRecord;
import dev.fusion.schemas.Modality;

/**
 * The bundled model set's streams as these tests name them: the contract's enum, whose order is
 * the streams' slot order (text 0, audio 1, image 2).
 */
final class Streams {

    private Streams() {
    }

    /** The stream of a record, by its slot. */
    static Modality of(ModalityRecord r) {
        return Modality.values()[r.slot];
    }

    /** The stream of a routed record, by its slot. */
    static Modality of(RoutedRecord r) {
        return Modality.values()[r.slot];
    }

    /** The slot of a bundled stream. */
    static int slot(Modality m) {
        return m.ordinal();
    }
}
