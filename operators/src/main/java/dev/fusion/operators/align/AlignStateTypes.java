package dev.fusion.operators.align;

import dev.fusion.operators.records.RoutedRecord;
import dev.fusion.schemas.Modality;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/** Type information of everything alignment keeps in state, spelled out so Kryo never sees it. */
final class AlignStateTypes {

    static final TypeInformation<RoutedRecord> RECORD = Types.POJO(RoutedRecord.class);
    static final TypeInformation<RoutedRecord[]> RECORDS = Types.OBJECT_ARRAY(RECORD);
    static final TypeInformation<Long> TIMESTAMP = Types.LONG;
    static final TypeInformation<Integer> SLOT = Types.INT;
    /** The key type of the latest policy's history before streams were configurable. */
    static final TypeInformation<Modality> LEGACY_MODALITY = Types.ENUM(Modality.class);

    private AlignStateTypes() {
    }
}
