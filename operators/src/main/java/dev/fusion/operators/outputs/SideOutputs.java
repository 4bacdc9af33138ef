package dev.fusion.operators.outputs;

import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DroppedEvent;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.OutputTag;

/** The side outputs every operator shares: dead letters and deliberately dropped events. */
public final class SideOutputs {

    /** Records that could not be used: {@code fusion.dlq}. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    /** Valid records that were not fused (late, duplicate or filtered): {@code fusion.dropped}. */
    public static final OutputTag<DroppedEvent> DROPPED =
            new OutputTag<>("dropped", new AvroTypeInfo<>(DroppedEvent.class));

    private SideOutputs() {
    }
}
