package dev.fusion.operators.records;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The type of the routed stream between routing and alignment: {@link RoutedRecordSerializer}
 * instead of Flink's reflective POJO serializer. Only for that edge; alignment's state keeps
 * {@code Types.POJO(RoutedRecord.class)}, so savepoints are unaffected.
 */
public final class RoutedRecordTypeInfo extends TypeInformation<RoutedRecord> {

    public static final RoutedRecordTypeInfo INSTANCE = new RoutedRecordTypeInfo();

    private static final long serialVersionUID = 1L;

    private RoutedRecordTypeInfo() {
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<RoutedRecord> getTypeClass() {
        return RoutedRecord.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<RoutedRecord> createSerializer(SerializerConfig config) {
        return RoutedRecordSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "RoutedRecordTypeInfo";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RoutedRecordTypeInfo;
    }

    @Override
    public int hashCode() {
        return RoutedRecordTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof RoutedRecordTypeInfo;
    }
}
