package dev.fusion.operators.align;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusion.operators.records.FusionRequest;
import dev.fusion.operators.records.RoutedRecord;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/** Everything alignment stores or emits is serialized by Flink's own serializers, never Kryo. */
class AlignStateTypesTest {

    @Test
    void stateAndOutputTypesAreNotGeneric() {
        List<TypeInformation<?>> types = List.of(AlignStateTypes.RECORD, AlignStateTypes.RECORDS,
                AlignStateTypes.TIMESTAMP, AlignStateTypes.SLOT, AlignStateTypes.LEGACY_MODALITY,
                TypeInformation.of(FusionRequest.class));
        SerializerConfigImpl noGenericTypes = new SerializerConfigImpl();
        noGenericTypes.setGenericTypes(false);

        for (TypeInformation<?> type : types) {
            assertThat(type).as(type.toString()).isNotInstanceOf(GenericTypeInfo.class);
            // Fails on any nested field that would fall back to Kryo.
            assertThat(type.createSerializer(noGenericTypes)).as(type.toString()).isNotNull();
        }
        assertThat(AlignStateTypes.RECORD).isInstanceOf(PojoTypeInfo.class);
        assertThat(TypeInformation.of(RoutedRecord.class)).isEqualTo(AlignStateTypes.RECORD);
        assertThat(TypeInformation.of(FusionRequest.class)).isInstanceOf(PojoTypeInfo.class);
    }

    @Test
    void testHarnessesRejectKryoState() {
        KeyedProcessFunction<String, RoutedRecord, FusionRequest> kryoState =
                new KeyedProcessFunction<>() {
                    @Override
                    public void open(OpenContext openContext) {
                        getRuntimeContext().getState(new ValueStateDescriptor<>("generic",
                                TypeInformation.of(Object.class)));
                    }

                    @Override
                    public void processElement(RoutedRecord value, Context ctx,
                            Collector<FusionRequest> out) {
                    }
                };

        assertThatThrownBy(() -> AlignTestSupport.harness(kryoState).close())
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("Generic types have been disabled");
    }
}
