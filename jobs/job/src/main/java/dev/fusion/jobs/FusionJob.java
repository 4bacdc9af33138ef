package dev.fusion.jobs;

import dev.fusion.jobs.config.ConfigException;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import dev.fusion.jobs.kafka.FusedRecordBudget;
import dev.fusion.models.manifest.FusionMode;
import dev.fusion.models.manifest.Modality;
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
import dev.fusion.operators.records.RoutedRecordTypeInfo;
import dev.fusion.operators.routing.ModelLocation;
import dev.fusion.operators.routing.RecordPoisonHandler;
import dev.fusion.operators.watermarks.StartAwareIdleness;
import dev.fusion.schemas.AlignmentPolicy;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DroppedEvent;
import dev.fusion.schemas.FusedEvent;
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
        this.models = config.models();
        // Loading validates every model against its manifest: bad models fail here, at start-up.
        this.manifest = models.manifest();
        requireServable(manifest);
        requireInputTopicKeysOfItsStreams(manifest, config);
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

    /**
     * What the job needs of a manifest beyond the model contract: modality names that are not
     * the output topics' keys ({@code kafka.topics.fused}, {@code dlq}, {@code dropped}).
     */
    public static void requireServable(ModelManifest manifest) {
        for (Modality modality : manifest.modalities()) {
            if (FusionOptions.OUTPUT_TOPIC_NAMES.contains(modality.id())) {
                throw new ConfigException(FusionOptions.MODELS_DIR.key() + ": the manifest in "
                        + manifest.location() + " names a modality '" + modality + "', which is"
                        + " the name of an output topic key (kafka.topics." + modality + "); rename"
                        + " the modality");
            }
        }
    }

    /** A {@code kafka.topics.<stream>} key is set only for a stream the manifest declares. */
    private static void requireInputTopicKeysOfItsStreams(ModelManifest manifest,
            FusionConfig config) {
        List<String> streams = manifest.modalities().stream().map(Modality::id).toList();
        for (String stream : config.inputTopicStreams()) {
            if (!streams.contains(stream)) {
                throw new ConfigException(FusionOptions.inputTopic(stream).key() + " is set, but"
                        + " the manifest in " + manifest.location() + " declares no modality '"
                        + stream + "'; its modalities: " + streams);
            }
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
    WatermarkStrategy<RawRecord> watermarks(ModalityDecoder decoder) {
        return new StartAwareIdleness<>(WatermarkStrategy
                .<RawRecord>forBoundedOutOfOrderness(config.get(FusionOptions.OUT_OF_ORDERNESS))
                .withTimestampAssigner(new EventTimeAssigner(decoder)),
                config.get(FusionOptions.IDLENESS), startIdleness());
    }

    /** watermarks.start-idleness, or watermarks.idleness where that is longer. */
    Duration startIdleness() {
        Duration idleness = config.get(FusionOptions.IDLENESS);
        Duration start = config.get(FusionOptions.START_IDLENESS);
        return start.compareTo(idleness) < 0 ? idleness : start;
    }

    /** The decoder of one stream's records: its kind, its routing model's feature length. */
    public ModalityDecoder decoder(Modality modality) {
        Integer inputDim = manifest.routing(modality).inputDim();
        return new ModalityDecoder(modality, inputDim == null ? 0 : inputDim,
                validationOptions(), clock);
    }

    /** Adds the pipeline to {@code env}, reading from {@code sources} and writing to {@code sinks}. */
    public void build(StreamExecutionEnvironment env, FusionSources sources, FusionSinks sinks) {
        MicroBatchOptions batching = new MicroBatchOptions(config.get(FusionOptions.BATCH_SIZE),
                config.get(FusionOptions.MAX_DELAY));
        InferenceFactory.Setup setup = new InferenceFactory.Setup(models, manifest, fusionMode(),
                config.runtimeOptions(), clock);
        DeadLetters letters = config.deadLetters();
        HealthOptions health = config.healthOptions();

        List<DataStream<DeadLetter>> deadLetters = new ArrayList<>();
        List<DataStream<DroppedEvent>> dropped = new ArrayList<>();
        List<DataStream<RoutedRecord>> routed = new ArrayList<>();
        for (Modality modality : manifest.modalities()) {
            String name = modality.id();
            ModalityDecoder decoder = decoder(modality);
            DataStream<RawRecord> raw = sources.stream(env, modality, watermarks(decoder));

            SingleOutputStreamOperator<ModalityRecord> decoded = raw
                    .process(new DecodeFunction(decoder, letters, clock))
                    .returns(TypeInformation.of(ModalityRecord.class))
                    .name("decode-" + name).uid("decode-" + name);
            deadLetters.add(decoded.getSideOutput(SideOutputs.DEAD_LETTERS));

            SingleOutputStreamOperator<RoutedRecord> routedOne = decoded.transform("route-" + name,
                    RoutedRecordTypeInfo.INSTANCE,
                    new MicroBatchOperator<>(inference.routing(modality, setup),
                            new RecordPoisonHandler(modality, letters), batching, name))
                    .uid("route-" + name);
            deadLetters.add(routedOne.getSideOutput(SideOutputs.DEAD_LETTERS));

            SingleOutputStreamOperator<RoutedRecord> kept = routedOne
                    .process(new GateFilterFunction(modality, config.get(FusionOptions.MIN_GATE),
                            health))
                    .returns(RoutedRecordTypeInfo.INSTANCE)
                    .name("gate-filter-" + name).uid("gate-filter-" + name);
            dropped.add(kept.getSideOutput(SideOutputs.DROPPED));
            routed.add(kept);
        }

        SingleOutputStreamOperator<FusionRequest> aligned = union(routed)
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
        DataStream<FusedEvent> weighed = fused
                .process(new FusedWeightsFunction(health, manifest.modalities()))
                .returns(new AvroTypeInfo<>(FusedEvent.class))
                .name("fusion-weights").uid("fusion-weights");

        sinks.fused(weighed);
        sinks.deadLetters(union(deadLetters));
        sinks.dropped(union(dropped));
    }

    /** Validation limits of the configuration (feature lengths come from each routing model). */
    public ValidationOptions validationOptions() {
        return new ValidationOptions(
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
        int m = manifest.modalities().size();
        AlignFunction function = window
                ? new WindowAlignFunction(options, m, dim,
                        FusedRecordBudget.sourceIdBytes(config, manifest))
                : new LatestAlignFunction(options, m, dim);
        return new AlignOperator(function, options, manifest.modalities());
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
