package dev.fusion.jobs;

import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DroppedEvent;
import dev.fusion.schemas.FusedEvent;
import org.apache.flink.streaming.api.datastream.DataStream;

/** Where the job's three outputs go: Kafka in production, anything in tests. */
public interface FusionSinks {

    /** Fused outputs ({@code fusion.fused}). */
    void fused(DataStream<FusedEvent> fused);

    /** Dead letters of every stage ({@code fusion.dlq}). */
    void deadLetters(DataStream<DeadLetter> deadLetters);

    /** Late and filtered records ({@code fusion.dropped}). */
    void dropped(DataStream<DroppedEvent> dropped);
}
