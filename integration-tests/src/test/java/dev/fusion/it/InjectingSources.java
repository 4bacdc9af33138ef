package dev.fusion.it;

import dev.fusion.jobs.FusionSources;
import dev.fusion.operators.records.RawRecord;
import dev.fusion.schemas.Modality;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The job's real sources with a {@link FailureInjectorFunction} chained right behind a
 * modality's source, so a test can fail the running job without touching production code.
 */
final class InjectingSources implements FusionSources {

    private final FusionSources delegate;
    private final Map<Modality, FailureInjectorFunction> injectors;

    InjectingSources(FusionSources delegate, Map<Modality, FailureInjectorFunction> injectors) {
        this.delegate = delegate;
        this.injectors = new EnumMap<>(injectors);
    }

    @Override
    public DataStream<RawRecord> stream(StreamExecutionEnvironment env,
            dev.fusion.models.manifest.Modality stream, WatermarkStrategy<RawRecord> watermarks) {
        DataStream<RawRecord> raw = delegate.stream(env, stream, watermarks);
        Modality modality = Modality.valueOf(stream.id().toUpperCase(Locale.ROOT));
        FailureInjectorFunction injector = injectors.get(modality);
        if (injector == null) {
            return raw;
        }
        String name = "inject-" + modality.name().toLowerCase(Locale.ROOT);
        return raw.map(injector).returns(TypeInformation.of(RawRecord.class)).name(name).uid(name);
    }
}
