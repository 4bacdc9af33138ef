package dev.fusion.jobs.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import dev.fusion.operators.decode.DeadLetters;
import dev.fusion.operators.decode.ValidationOptions;
import dev.fusion.operators.health.HealthOptions;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.description.HtmlFormatter;

/**
 * Every option of the fusion job: key, type, default and description, in one place. The YAML
 * file nests keys by their dots ({@code inference: {batch-size: 64}}); the command line takes
 * {@code --set key=value}.
 */
public final class FusionOptions {

    /** Fusion mode of the level-2 integration model. */
    public enum FusionMode { MAX, WEIGHTED }

    /** How records of an entity are aligned for fusion. */
    public enum AlignPolicy { WINDOW, LATEST }

    /** Where a source starts when its consumer group has no committed offsets. */
    public enum StartingOffsets { EARLIEST, LATEST }

    // ---- Kafka ----

    public static final ConfigOption<String> BOOTSTRAP_SERVERS = key("kafka.bootstrap-servers")
            .stringType().noDefaultValue()
            .withDescription("Kafka bootstrap servers (host:port,...). Required for 'run'; the demo"
                    + " sets it to its embedded broker.");

    /**
     * The prefix of the input topic keys: {@code kafka.topics.<stream>} for each stream (modality)
     * the manifest declares, by default {@code fusion.<stream>}.
     */
    public static final String INPUT_TOPIC_PREFIX = "kafka.topics.";

    public static final ConfigOption<String> TOPIC_TEXT = inputTopic("text", "TextEvent");

    public static final ConfigOption<String> TOPIC_AUDIO =
            inputTopic("audio", "AudioFeatureEvent (or FeatureEvent)");

    public static final ConfigOption<String> TOPIC_IMAGE =
            inputTopic("image", "ImageFeatureEvent (or FeatureEvent)");

    public static final ConfigOption<String> TOPIC_FUSED = key("kafka.topics.fused")
            .stringType().defaultValue("fusion.fused").withDescription("Output topic of FusedEvent records.");

    public static final ConfigOption<String> TOPIC_DLQ = key("kafka.topics.dlq")
            .stringType().defaultValue("fusion.dlq").withDescription("Output topic of DeadLetter records.");

    public static final ConfigOption<String> TOPIC_DROPPED = key("kafka.topics.dropped")
            .stringType().defaultValue("fusion.dropped")
            .withDescription("Output topic of DroppedEvent records (late or filtered).");

    /** The stream names that are output topic keys, which no modality may take. */
    public static final List<String> OUTPUT_TOPIC_NAMES = List.of("fused", "dlq", "dropped");

    public static final ConfigOption<String> GROUP_ID = key("kafka.group-id")
            .stringType().defaultValue("fusion-job")
            .withDescription("Consumer group id of the sources (offsets live in checkpoints;"
                    + " the group only shows progress).");

    public static final ConfigOption<StartingOffsets> STARTING_OFFSETS = key("kafka.starting-offsets")
            .enumType(StartingOffsets.class).defaultValue(StartingOffsets.EARLIEST)
            .withDescription("Where sources start without a checkpoint or committed offsets.");

    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX = key("kafka.transactional-id-prefix")
            .stringType().defaultValue("fusion-job")
            .withDescription("Prefix of the sinks' transactional ids; unique per job on a cluster.");

    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT = key("kafka.transaction-timeout")
            .durationType().defaultValue(Duration.ofMinutes(5))
            .withDescription("Kafka transaction timeout of the exactly-once sinks; must not exceed"
                    + " the broker's transaction.max.timeout.ms (15 min by default) and must exceed"
                    + " the checkpoint interval.");

    /** {@link #TOPIC_REPLICATION_FACTOR}'s value for "the brokers' default.replication.factor". */
    public static final int BROKER_DEFAULT_REPLICATION = -1;

    public static final ConfigOption<Integer> TOPIC_REPLICATION_FACTOR =
            key("kafka.topic-replication-factor")
            .intType().defaultValue(BROKER_DEFAULT_REPLICATION)
            .withDescription("Replication factor of the topics that 'run --create-topics' creates;"
                    + " -1 takes the brokers' default.replication.factor. On a cluster of three or"
                    + " more brokers use 3, with min.insync.replicas=2 on the brokers (or the"
                    + " topics), so that a broker can fail without losing or stopping the output."
                    + " Topics that exist are left as they are.");

    /**
     * The family of pass-through Kafka client properties: {@code kafka.properties.<name>} is
     * given as {@code <name>} to every Kafka client the project makes.
     */
    public static final String KAFKA_PROPERTIES_PREFIX = "kafka.properties.";

    /** What {@link #KAFKA_PROPERTIES_PREFIX} does, for {@code ./fusion options}. */
    public static final String KAFKA_PROPERTIES_DESCRIPTION = "Any Kafka client property, given to"
            + " every Kafka client of the job and the launcher (sources, sinks, admin clients,"
            + " start-up checks, produce, tail): security.protocol, sasl.*, ssl.*, client.id,"
            + " tuning. Values of names with password, secret, jaas, token or key are shown as"
            + " ******. Refused: bootstrap.servers, group.id, transactional.id and"
            + " transaction.timeout.ms (set their kafka.* option), and values that break"
            + " exactly-once (isolation.level other than read_committed, enable.idempotence=false,"
            + " acks other than all).";

    // ---- Job ----

    public static final ConfigOption<String> JOB_NAME = key("job.name")
            .stringType().defaultValue("multimodal-fusion")
            .withDescription("Flink job name, shown in the web UI, the logs and the metrics.");

    public static final ConfigOption<Integer> PARALLELISM = key("job.parallelism")
            .intType().defaultValue(2).withDescription("Default parallelism of the job's operators.");

    public static final ConfigOption<Boolean> EXACTLY_ONCE = key("job.exactly-once")
            .booleanType().defaultValue(true)
            .withDescription("Exactly-once Kafka sinks (transactions committed on checkpoints);"
                    + " false gives at-least-once.");

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = key("job.checkpoint-interval")
            .durationType().defaultValue(Duration.ofSeconds(1))
            .withDescription("Checkpoint interval; exactly-once output becomes visible at each"
                    + " completed checkpoint, so with the checkpoint's own duration it bounds"
                    + " end-to-end latency for read_committed readers (docs/PERFORMANCE.md).");

    public static final ConfigOption<Boolean> STATE_CHANGELOG = key("job.state-changelog")
            .booleanType().defaultValue(false)
            .withDescription("Checkpoint through Flink's changelog state backend: each checkpoint"
                    + " writes only the state changed since the last one, not the whole state (most"
                    + " of which is the event ids kept for align.duplicate-horizon), so checkpoints"
                    + " are shorter and exactly-once output is visible sooner, at some CPU per"
                    + " state change (docs/PERFORMANCE.md). The changes are stored under"
                    + " <job.checkpoint-dir>/changelog for './fusion run'; on a Flink cluster its"
                    + " TaskManagers must set state.changelog.storage: filesystem and"
                    + " state.changelog.dstl.dfs.base-path. It can be switched on or off between"
                    + " runs; a restore that does not claim its snapshot (--from, 'flink run -s'"
                    + " without --claimMode claim) needs it off. The cluster's state.changelog.enabled"
                    + " applies unless this key is set.");

    public static final ConfigOption<Duration> CHANGELOG_MATERIALIZE_INTERVAL =
            key("job.changelog-materialize-interval").durationType().defaultValue(Duration.ofMinutes(1))
            .withDescription("With job.state-changelog: how often the whole state is written in the"
                    + " background (Flink's state.changelog.periodic-materialize.interval, 10 min by"
                    + " default), after which the changelog before it is dropped. The checkpoint"
                    + " storage holds, and a restore replays, the changes of up to this long: about"
                    + " 2 KB per input event with the bundled models (docs/OPERATIONS.md). The"
                    + " cluster's setting applies unless this key is set.");

    public static final ConfigOption<Boolean> UNALIGNED_CHECKPOINTS = key("job.unaligned-checkpoints")
            .booleanType().defaultValue(false)
            .withDescription("Unaligned checkpoints (Flink's execution.checkpointing.unaligned.enabled):"
                    + " a checkpoint barrier overtakes the records buffered between tasks, which are"
                    + " stored with the checkpoint, so a checkpoint does not wait for them to be"
                    + " processed and exactly-once output is visible sooner under load"
                    + " (docs/PERFORMANCE.md). Needs job.exactly-once: true. The cluster's setting"
                    + " applies unless this key is set.");

    public static final ConfigOption<String> CHECKPOINT_DIR = key("job.checkpoint-dir")
            .stringType().noDefaultValue()
            .withDescription("Where checkpoints are stored: a directory or a file-system URI"
                    + " (file:///..., s3://..., hdfs://...). Checkpoints are retained when the job"
                    + " is cancelled or fails, so a later run can resume from them. Unset: the"
                    + " Flink cluster's own setting for 'flink run'; for './fusion run'"
                    + " $XDG_STATE_HOME/fusion/checkpoints (~/.local/state/fusion/checkpoints),"
                    + " where the next run of the same job.name finds them; a temporary directory"
                    + " for the demo. Never Flink's in-memory storage, which refuses state above"
                    + " 5 MB.");

    public static final ConfigOption<String> SAVEPOINT_DIR = key("job.savepoint-dir")
            .stringType().noDefaultValue()
            .withDescription("Where savepoints go (the one './fusion run' takes when stopped with"
                    + " Ctrl-C or SIGTERM, and 'flink stop' without a target directory). Unset:"
                    + " <checkpoint directory>/savepoints for './fusion run'; the cluster's own"
                    + " setting for 'flink run'.");

    public static final ConfigOption<Boolean> START_FRESH = key("job.start-fresh")
            .booleanType().defaultValue(false)
            .withDescription("Start without state although the consumer group has committed input"
                    + " offsets. Off, such a start fails: records the previous run still held in"
                    + " open windows would be skipped, never fused. './fusion run --fresh' sets"
                    + " it (and moves the retained state aside).");

    public static final ConfigOption<Duration> BUFFER_TIMEOUT = key("job.buffer-timeout")
            .durationType().defaultValue(Duration.ofMillis(100))
            .withDescription("Longest a record waits in a network buffer between tasks before the"
                    + " buffer is sent half-empty (Flink's execution.buffer-timeout): lower for"
                    + " latency, higher for throughput.");

    // ---- Models and inference ----

    public static final ConfigOption<String> MODELS_DIR = key("models.dir")
            .stringType().noDefaultValue()
            .withDescription("Directory with manifest.json and the ONNX models; empty means the models"
                    + " bundled in the jar.");

    public static final ConfigOption<FusionMode> FUSION_MODE = key("models.fusion-mode")
            .enumType(FusionMode.class).defaultValue(FusionMode.MAX)
            .withDescription("Integration model: max or weighted fusion.");

    public static final ConfigOption<String> DEVICE = key("inference.device")
            .stringType().defaultValue("auto")
            .withDescription("auto (CUDA when its provider loads, else CPU), cpu, cuda or cuda:N.");

    public static final ConfigOption<Integer> BATCH_SIZE = key("inference.batch-size")
            .intType().defaultValue(64).withDescription("Micro-batch size of the inference operators.");

    public static final ConfigOption<Duration> MAX_DELAY = key("inference.max-delay")
            .durationType().defaultValue(Duration.ofMillis(20))
            .withDescription("Longest a record waits in a micro-batch before it is flushed.");

    public static final ConfigOption<Integer> INTRA_OP_THREADS = key("inference.intra-op-threads")
            .intType().defaultValue(1)
            .withDescription("ONNX Runtime intra-op threads per session; many Flink threads call in.");

    public static final ConfigOption<Integer> INTER_OP_THREADS = key("inference.inter-op-threads")
            .intType().defaultValue(1).withDescription("ONNX Runtime inter-op threads per session.");

    public static final ConfigOption<Double> MIN_GATE = key("routing.min-gate")
            .doubleType().defaultValue(0.0)
            .withDescription("Level-1 filter: records with sigmoid(gate) below this are dropped as"
                    + " FILTERED; 0 disables the filter.");

    // ---- Stream health ----

    public static final ConfigOption<Double> HEALTH_MIN_MEAN_GATE =
            key(HealthOptions.MIN_MEAN_GATE).doubleType().defaultValue(0.3)
            .withDescription("A stream whose mean gate sigmoid(g) over health.window stays below"
                    + " this for health.degraded-after is reported degraded (gauge 'degraded',"
                    + " one WARN line), and healthy again once it stays at or above it as long"
                    + " (one INFO line). The bundled models give clean streams a mean gate of"
                    + " about 0.8 and pure noise under 0.07. In [0, 1); 0 turns the check off.");

    public static final ConfigOption<Duration> HEALTH_WINDOW =
            key(HealthOptions.WINDOW).durationType().defaultValue(Duration.ofSeconds(10))
            .withDescription("Sliding window (processing time) of the per-stream mean gate and"
                    + " mean fusion weight gauges; at least 10 ms. Lengthen it for streams of a"
                    + " few records per second, whose mean over a short window is noisy.");

    public static final ConfigOption<Duration> HEALTH_DEGRADED_AFTER =
            key(HealthOptions.DEGRADED_AFTER).durationType().defaultValue(Duration.ofSeconds(10))
            .withDescription("How long a stream's mean gate must stay below"
                    + " health.min-mean-gate to be reported degraded, and at or above it to be"
                    + " reported healthy again; 0 reports at once.");

    // ---- Alignment and time ----

    public static final ConfigOption<AlignPolicy> ALIGN_POLICY = key("align.policy")
            .enumType(AlignPolicy.class).defaultValue(AlignPolicy.WINDOW)
            .withDescription("window: one fusion per entity and tumbling window; latest: one fusion"
                    + " per record with the latest of each other modality.");

    public static final ConfigOption<Duration> ALIGN_WINDOW = key("align.window")
            .durationType().defaultValue(Duration.ofSeconds(1))
            .withDescription("Tumbling window size of the window policy.");

    public static final ConfigOption<Duration> ALLOWED_LATENESS = key("align.allowed-lateness")
            .durationType().defaultValue(Duration.ZERO)
            .withDescription("How far behind the watermark a record may be and still be fused;"
                    + " later records go to the dropped topic as LATE.");

    public static final ConfigOption<Duration> ALIGN_TTL = key("align.ttl")
            .durationType().defaultValue(Duration.ofSeconds(10))
            .withDescription("Latest policy: the oldest another modality's record may be to be held.");

    public static final ConfigOption<Duration> IDLE_FLUSH_AFTER = key("align.idle-flush-after")
            .durationType().defaultValue(Duration.ofSeconds(10))
            .withDescription("When every input is idle (watermarks.idleness) and for this long no"
                    + " record reached alignment and the watermark did not advance, fuse the open"
                    + " windows and held records anyway: event time moves to the wall clock minus"
                    + " this wait, never past the latest fusion pending. A record that then comes"
                    + " for an already fused window is dropped as LATE."
                    + " Too short, and the records of a merely slow input (or of an outage longer"
                    + " than this) arrive LATE; too long, and the last events of a quiet period"
                    + " wait this long for their fusion. 0 disables it: then quiet inputs fuse"
                    + " only when new traffic moves event time on.");

    public static final ConfigOption<Duration> DUPLICATE_HORIZON = key("align.duplicate-horizon")
            .durationType().defaultValue(Duration.ofMinutes(1))
            .withDescription("How long, in event time, the event ids of each entity are"
                    + " remembered: a copy of an id seen within it is not fused again but dropped"
                    + " as DUPLICATE. Event time, so that replays and restores decide the same way."
                    + " An id is kept at least as long as a record of its event time is accepted"
                    + " (window plus allowed lateness), so a copy of the same event that comes"
                    + " later is LATE, never fused twice; a longer horizon also catches ids re-used"
                    + " with other event times, at one state entry (the id and a long) per event"
                    + " id within it. 0 disables it.");

    public static final ConfigOption<Duration> OUT_OF_ORDERNESS = key("watermarks.out-of-orderness")
            .durationType().defaultValue(Duration.ofMillis(200))
            .withDescription("Bounded out-of-orderness of event times within a partition.");

    public static final ConfigOption<Duration> WATERMARK_INTERVAL = key("watermarks.interval")
            .durationType().defaultValue(Duration.ofMillis(200))
            .withDescription("How often sources emit watermarks (Flink's"
                    + " pipeline.auto-watermark-interval). Latest alignment fires a record once the"
                    + " watermark passes it, so this adds up to its value to that policy's"
                    + " latency.");

    public static final ConfigOption<Duration> IDLENESS = key("watermarks.idleness")
            .durationType().defaultValue(Duration.ofSeconds(5))
            .withDescription("A partition silent this long, once it has delivered a record since"
                    + " its source (re)started, stops holding back the watermark (before that,"
                    + " watermarks.start-idleness). Too short a value can mark partitions with a"
                    + " backlog idle while their source is busy catching up, and their records"
                    + " then arrive LATE.");

    public static final ConfigOption<Duration> START_IDLENESS = key("watermarks.start-idleness")
            .durationType().defaultValue(Duration.ofSeconds(30))
            .withDescription("A partition that has not delivered a record since its source"
                    + " (re)started stops holding back the watermark only after this long (or"
                    + " watermarks.idleness where that is longer): a source slow to fetch its"
                    + " first records (a replacement TaskManager, a busy machine) must not have"
                    + " its backlog declared idle and overtaken, which would make it LATE. A"
                    + " partition that gets no record at all holds back every fusion this long"
                    + " after each start.");

    // ---- Validation ----

    public static final ConfigOption<Integer> MAX_TEXT_CHARS = key("validation.max-text-chars")
            .intType().defaultValue(10_000).withDescription("Longest accepted text.");

    public static final ConfigOption<String> MIN_EVENT_TIME = key("validation.min-event-time")
            .stringType().defaultValue("2000-01-01T00:00:00Z")
            .withDescription("Earliest accepted event time (ISO-8601 instant).");

    public static final ConfigOption<Duration> MAX_FUTURE_SKEW = key("validation.max-future-skew")
            .durationType().defaultValue(Duration.ofDays(1))
            .withDescription("How far ahead of the wall clock an event time may be.");

    public static final ConfigOption<Integer> MAX_ID_CHARS = key(ValidationOptions.MAX_ID_CHARS)
            .intType().defaultValue(ValidationOptions.DEFAULT_MAX_ID_CHARS)
            .withDescription("Longest accepted event_id and entity_id, in chars; a longer one makes"
                    + " its record INVALID. Ids are copied into every fused, dropped and dead-letter"
                    + " record and key, so an unbounded one could make those too large for Kafka.");

    // ---- Dead letters ----

    public static final ConfigOption<Integer> DLQ_MAX_VALUE_BYTES = key(DeadLetters.MAX_VALUE_BYTES_KEY)
            .intType().defaultValue(DeadLetters.DEFAULT_MAX_VALUE_BYTES)
            .withDescription("Most bytes of a bad record's value a dead letter keeps (0 to 16 MiB);"
                    + " a longer value keeps its first bytes and is flagged truncated, and every"
                    + " dead letter carries the original size and SHA-256. The dead-letter sink's"
                    + " max.request.size is set from it; the dlq topic's max.message.bytes must"
                    + " allow it, which is checked at start-up.");

    public static final ConfigOption<Integer> DLQ_MAX_KEY_BYTES = key(DeadLetters.MAX_KEY_BYTES_KEY)
            .intType().defaultValue(DeadLetters.DEFAULT_MAX_KEY_BYTES)
            .withDescription("Most bytes of a bad record's key a dead letter keeps (0 to 1 MiB),"
                    + " truncated the same way as the value.");

    // ---- Metrics ----

    public static final ConfigOption<Integer> METRICS_PORT = key("metrics.port")
            .intType().defaultValue(9249)
            .withDescription("Port of the Prometheus endpoint (http://localhost:PORT/metrics) that"
                    + " './fusion run' and './fusion demo' start; 0 picks a free port. Under"
                    + " 'flink run' the cluster's own metrics reporters apply and this is unused.");

    /**
     * The input topic option of {@code stream}: {@code kafka.topics.<stream>}, by default
     * {@code fusion.<stream>}. The bundled streams' options are declared above; any other stream
     * of a manifest gets its option here, from the same rule.
     */
    public static ConfigOption<String> inputTopic(String stream) {
        return switch (stream) {
            case "text" -> TOPIC_TEXT;
            case "audio" -> TOPIC_AUDIO;
            case "image" -> TOPIC_IMAGE;
            default -> inputTopic(stream, "FeatureEvent or TextEvent (the stream's kind)");
        };
    }

    private static ConfigOption<String> inputTopic(String stream, String records) {
        return key(INPUT_TOPIC_PREFIX + stream).stringType().defaultValue("fusion." + stream)
                .withDescription("Input topic of the '" + stream + "' stream: " + records
                        + " records. Every modality of the manifest has such a key,"
                        + " kafka.topics.<modality>, by default fusion.<modality>.");
    }

    private FusionOptions() {
    }

    /** An option's description as plain text. */
    public static String describe(ConfigOption<?> option) {
        return new HtmlFormatter().format(option.description()).replaceAll("<[^>]+>", "").trim();
    }

    /** Every option declared above, in declaration order. */
    public static List<ConfigOption<?>> all() {
        List<ConfigOption<?>> options = new ArrayList<>();
        for (Field f : FusionOptions.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == ConfigOption.class) {
                try {
                    options.add((ConfigOption<?>) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return options;
    }
}
