package dev.fusion.jobs;

import dev.fusion.jobs.config.ConfigException;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import dev.fusion.jobs.kafka.FusedRecordBudget;
import dev.fusion.models.manifest.FusionMode;
import dev.fusion.models.manifest.ModelManifest;
import dev.fusion.operators.align.AlignmentOptions;
import dev.fusion.operators.align.AlignFunction;
import dev.fusion.operators.align.AlignOperator;
import dev.fusion.operators.align.LatestAlignFunction;
import dev.fusion.operators.align.WindowAlignFunction;
import dev.fusion.operators.batch.MicroBatchOperator;
import dev.fusion.operators.batch.MicroBatchOptions;
import dev.fusion.operators.decode.DeadLetters;
import dev.fusion.operators.decode.DecodeFunction;
import dev.fusion.operators.decode.EventTimeAssigner;
import dev.fusion.operators.decode.ModalityDecoder;
import dev.fusion.operators.decode.ValidationOptions;
import dev.fusion.operators.filter.GateFilterFunction;
import dev.fusion.operators.health.FusedWeightsFunction;
import dev.fusion.operators.health.HealthOptions;
import dev.fusion.operators.integration.FusionPoisonHandler;
import dev.fusion.operators.outputs.SideOutputs;
import dev.fusion.operators.records.FusionRequest;
import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.operators.records.RawRecord;
import dev.fusion.operators.records.RoutedRecord;
import dev.fusion.operators.routing.ModelLocation;
import dev.fusion.operators.routing.RecordPoisonHandler;
import dev.fusion.operators.watermarks.StartAwareIdleness;
import dev.fusion.schemas.AlignmentPolicy;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DroppedEvent;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.Modality;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Assembles the fusion pipeline: per modality decode and validate, then level-1 routing in
 * micro-batches and the gate filter; then all modalities keyed by entity, aligned, and fused by
 * the level-2 integration model. Sources and sinks are arguments, so tests plug in their own.
 */
public final class FusionJob {

    private final FusionConfig config;
    private final ModelLocation models;
    private final ModelManifest manifest;
    private final Clock clock;
    private final InferenceFactory inference;

    /** The job with the models of {@code models.dir} (or the bundled ones). */
    public FusionJob(FusionConfig config, Clock clock) {
        this(config, clock, InferenceFactory.models());
    }

    /** The job with the inference steps that {@code inference} makes (benchmarks replace them). */
    public FusionJob(FusionConfig config, Clock clock, InferenceFactory inference) {
        this.config = config;
        this.models = ModelLocation.of(config.isSet(FusionOptions.MODELS_DIR)
                ? config.get(FusionOptions.MODELS_DIR) : null);
        // Loading validates every model against its manifest: bad models fail here, at start-up.
        this.manifest = models.manifest();
        this.clock = clock;
        this.inference = inference;
        try {
            manifest.integration(fusionMode());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(FusionOptions.FUSION_MODE.key() + "="
                    + config.get(FusionOptions.FUSION_MODE).name().toLowerCase(Locale.ROOT) + ": "
                    + e.getMessage(), e);
        }
    }

    /** The manifest the job serves. */
    public ModelManifest manifest() {
        return manifest;
    }

    /**
     * One input's watermarks: bounded out-of-orderness per partition, event time from the record,
     * and idleness that does not count before a partition's first record after a (re)start
     * ({@link StartAwareIdleness}). No watermark alignment across the inputs: with the Kafka
     * connector for Flink 2.2 it can fail the sources (FLINK-39728).
     */
    WatermarkStrategy<RawRecord> watermarks(Modality modality, ValidationOptions validation) {
        return new StartAwareIdleness<>(WatermarkStrategy
                .<RawRecord>forBoundedOutOfOrderness(config.get(FusionOptions.OUT_OF_ORDERNESS))
                .withTimestampAssigner(new EventTimeAssigner(modality, validation, clock)),
                config.get(FusionOptions.IDLENESS), startIdleness());
    }

    /** watermarks.start-idleness, or watermarks.idleness where that is longer. */
    Duration startIdleness() {
        Duration idleness = config.get(FusionOptions.IDLENESS);
        Duration start = config.get(FusionOptions.START_IDLENESS);
        return start.compareTo(idleness) < 0 ? idleness : start;
    }

    /** Adds the pipeline to {@code env}, reading from {@code sources} and writing to {@code sinks}. */
    public void build(StreamExecutionEnvironment env, FusionSources sources, FusionSinks sinks) {
        ValidationOptions validation = validationOptions();
        MicroBatchOptions batching = new MicroBatchOptions(config.get(FusionOptions.BATCH_SIZE),
                config.get(FusionOptions.MAX_DELAY));
        InferenceFactory.Setup setup = new InferenceFactory.Setup(models, manifest, fusionMode(),
                config.runtimeOptions(), clock);
        DeadLetters letters = config.deadLetters();
        HealthOptions health = config.healthOptions();

        List<DataStream<DeadLetter>> deadLetters = new ArrayList<>();
        List<DataStream<DroppedEvent>> dropped = new ArrayList<>();
        List<DataStream<RoutedRecord>> routed = new ArrayList<>();
        for (Modality modality : Modality.values()) {
            String name = modality.name().toLowerCase(Locale.ROOT);
            DataStream<RawRecord> raw = sources.stream(env, modality, watermarks(modality, validation));

            SingleOutputStreamOperator<ModalityRecord> decoded = raw
                    .process(new DecodeFunction(new ModalityDecoder(modality, validation, clock),
                            letters, clock))
                    .returns(TypeInformation.of(ModalityRecord.class))
                    .name("decode-" + name).uid("decode-" + name);
            deadLetters.add(decoded.getSideOutput(SideOutputs.DEAD_LETTERS));

            SingleOutputStreamOperator<RoutedRecord> routedOne = decoded.transform("route-" + name,
                    TypeInformation.of(RoutedRecord.class),
                    new MicroBatchOperator<>(inference.routing(modality, setup),
                            new RecordPoisonHandler(letters), batching, name))
                    .uid("route-" + name);
            deadLetters.add(routedOne.getSideOutput(SideOutputs.DEAD_LETTERS));

            SingleOutputStreamOperator<RoutedRecord> kept = routedOne
                    .process(new GateFilterFunction(config.get(FusionOptions.MIN_GATE), health))
                    .returns(TypeInformation.of(RoutedRecord.class))
                    .name("gate-filter-" + name).uid("gate-filter-" + name);
            dropped.add(kept.getSideOutput(SideOutputs.DROPPED));
            routed.add(kept);
        }

        SingleOutputStreamOperator<FusionRequest> aligned = routed.get(0)
                .union(routed.get(1), routed.get(2))
                .keyBy(r -> r.entityId, Types.STRING)
                .transform("align-" + config.get(FusionOptions.ALIGN_POLICY).name().toLowerCase(Locale.ROOT),
                        TypeInformation.of(FusionRequest.class), alignOperator())
                .uid("align");
        dropped.add(aligned.getSideOutput(SideOutputs.DROPPED));

        SingleOutputStreamOperator<FusedEvent> fused = aligned.transform("integrate",
                new AvroTypeInfo<>(FusedEvent.class),
                new MicroBatchOperator<>(inference.integration(setup),
                        new FusionPoisonHandler(letters), batching))
                .uid("integrate");
        deadLetters.add(fused.getSideOutput(SideOutputs.DEAD_LETTERS));
        // Chained to integrate, stateless: the per-stream mean fusion weights as gauges.
        DataStream<FusedEvent> weighed = fused.process(new FusedWeightsFunction(health))
                .returns(new AvroTypeInfo<>(FusedEvent.class))
                .name("fusion-weights").uid("fusion-weights");

        sinks.fused(weighed);
        sinks.deadLetters(union(deadLetters));
        sinks.dropped(union(dropped));
    }

    /** Validation limits: feature dimensions from the manifest, the rest from the configuration. */
    public ValidationOptions validationOptions() {
        return new ValidationOptions(
                manifest.routing(dev.fusion.models.manifest.Modality.AUDIO).inputDim(),
                manifest.routing(dev.fusion.models.manifest.Modality.IMAGE).inputDim(),
                config.get(FusionOptions.MAX_TEXT_CHARS), config.minEventTime(),
                config.get(FusionOptions.MAX_FUTURE_SKEW), config.get(FusionOptions.MAX_ID_CHARS));
    }

    /** The model runtime's fusion mode. */
    public FusionMode fusionMode() {
        return config.get(FusionOptions.FUSION_MODE) == FusionOptions.FusionMode.MAX
                ? FusionMode.MAX : FusionMode.WEIGHTED;
    }

    private AlignOperator alignOperator() {
        boolean window = config.get(FusionOptions.ALIGN_POLICY) == FusionOptions.AlignPolicy.WINDOW;
        AlignmentOptions options = new AlignmentOptions(
                window ? AlignmentPolicy.WINDOW : AlignmentPolicy.LATEST,
                config.get(FusionOptions.ALIGN_WINDOW), config.get(FusionOptions.ALLOWED_LATENESS),
                config.get(FusionOptions.ALIGN_TTL), config.get(FusionOptions.IDLE_FLUSH_AFTER),
                config.get(FusionOptions.DUPLICATE_HORIZON));
        int dim = manifest.embeddingDim();
        AlignFunction function = window
                ? new WindowAlignFunction(options, dim, FusedRecordBudget.sourceIdBytes(config, manifest))
                : new LatestAlignFunction(options, dim);
        return new AlignOperator(function, options);
    }

    private static <T> DataStream<T> union(List<DataStream<T>> streams) {
        DataStream<T> first = streams.get(0);
        if (streams.size() == 1) {
            return first;
        }
        @SuppressWarnings("unchecked")
        DataStream<T>[] rest = streams.subList(1, streams.size()).toArray(new DataStream[0]);
        return first.union(rest);
    }
}
