package dev.fusion.jobs;

import dev.fusion.operators.records.RawRecord;
import dev.fusion.models.manifest.Modality;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Where the job's raw input records come from: Kafka in production, anything in tests. */
@FunctionalInterface
public interface FusionSources {

    /**
     * The raw records of one stream (a modality of the manifest), with {@code watermarks} applied where the source can do it
     * best (per Kafka partition for a Kafka source).
     */
    DataStream<RawRecord> stream(StreamExecutionEnvironment env, Modality modality,
            WatermarkStrategy<RawRecord> watermarks);
}
