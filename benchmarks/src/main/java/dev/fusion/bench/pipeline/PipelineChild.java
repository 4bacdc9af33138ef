package dev.fusion.bench.pipeline;

import dev.fusion.bench.passthrough.PassThroughInference;
import dev.fusion.jobs.FusionEnvironment;
import dev.fusion.jobs.FusionJob;
import dev.fusion.jobs.FusionSources;
import dev.fusion.jobs.InferenceFactory;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import dev.fusion.jobs.kafka.KafkaFusionIo;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * One run of the job in a JVM of its own, so that its CPU time, heap and RSS are the job's alone
 * (the broker and the load generator live in the harness). Bounded runs read a prefix of the
 * workload and exit when the job finishes; unbounded runs serve the configured topics until
 * standard input closes.
 *
 * <p>Arguments: {@code --set key=value} (job options), {@code --inference models|passthrough},
 * {@code --checkpoint-dir DIR}, {@code --timeline FILE}, {@code --summary FILE},
 * {@code --workload PREFIX} (the preloaded topics); for bounded runs {@code --stop O1,O2,...}, for
 * unbounded ones {@code --ready FILE} (written once the job runs); and to warm the JVM up first
 * with a bounded run of the same job over a prefix of the workload, {@code --warmup-id ID
 * --warmup-stop O1,O2,...} (its outputs go to the topics {@code ID.fused}, ...).
 */
public final class PipelineChild {

    private PipelineChild() {
    }

    @SuppressWarnings("try") // the sampler runs for the whole try block without being referenced
    public static void main(String[] argv) throws Exception {
        Map<String, String> overrides = new LinkedHashMap<>();
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            if (argv[i].equals("--set")) {
                String kv = argv[i + 1];
                overrides.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            } else {
                args.put(argv[i].substring(2), argv[i + 1]);
            }
        }
        FusionConfig config = FusionConfig.of(overrides);
        InferenceFactory inference = "passthrough".equals(args.get("inference"))
                ? new PassThroughInference() : InferenceFactory.models();
        Path summary = Path.of(args.get("summary"));
        Properties result = new Properties();
        int code = 0;
        try (ProcessSampler sampler = new ProcessSampler(Path.of(args.get("timeline")), 100)) {
            if (args.containsKey("warmup-id")) {
                // The same job on other data first, so that the measured job runs JIT-compiled
                // code from its first record instead of spending its first seconds compiling.
                String id = args.get("warmup-id");
                FusionConfig warmup = config.with(Map.of("kafka.topics.fused", id + ".fused",
                        "kafka.topics.dlq", id + ".dlq", "kafka.topics.dropped", id + ".dropped",
                        "kafka.group-id", "bench-" + id, "kafka.transactional-id-prefix", "bench-"
                                + id, "job.name", "bench-" + id));
                StreamExecutionEnvironment env = environment(warmup,
                        Path.of(args.get("checkpoint-dir") + "-warmup"));
                build(env, warmup, inference, prefix(warmup, args.get("workload"),
                        args.get("warmup-stop")));
                env.execute(warmup.get(FusionOptions.JOB_NAME));
                result.setProperty("warmup_finished_ms",
                        String.valueOf(System.currentTimeMillis()));
            }
            StreamExecutionEnvironment env = environment(config,
                    Path.of(args.get("checkpoint-dir")));
            boolean bounded = args.containsKey("stop");
            build(env, config, inference, bounded ? prefix(config, args.get("workload"),
                    args.get("stop")) : null);
            result.setProperty("submitted_ms", String.valueOf(System.currentTimeMillis()));
            if (bounded) {
                JobExecutionResult done = env.execute(config.get(FusionOptions.JOB_NAME));
                result.setProperty("net_runtime_ms", String.valueOf(done.getNetRuntime()));
            } else {
                JobClient client = env.executeAsync(config.get(FusionOptions.JOB_NAME));
                result.setProperty("job_id", client.getJobID().toString());
                awaitRunning(client);
                Files.writeString(Path.of(args.get("ready")), client.getJobID().toString());
                awaitStop();
                client.cancel().get(60, TimeUnit.SECONDS);
            }
            result.setProperty("finished_ms", String.valueOf(System.currentTimeMillis()));
        } catch (Exception e) {
            result.setProperty("error", e.toString());
            e.printStackTrace();
            code = 1;
        }
        result.setProperty("peak_heap_bytes", String.valueOf(ProcessSampler.peakHeapBytes()));
        result.setProperty("vm_hwm_kb", String.valueOf(ProcessSampler.procStatusKb("VmHWM")));
        try (var out = Files.newBufferedWriter(summary)) {
            result.store(out, "pipeline run");
        }
        System.exit(code);
    }

    /** The job with Kafka sinks, reading {@code sources} (null: the configured topics). */
    private static void build(StreamExecutionEnvironment env, FusionConfig config,
            InferenceFactory inference, FusionSources sources) {
        KafkaFusionIo io = new KafkaFusionIo(config, false);
        new FusionJob(config, Clock.systemUTC(), inference).build(env, sources != null ? sources
                : io, io);
    }

    /** Bounded sources over the workload topics under {@code topicPrefix}, up to {@code stop}. */
    private static FusionSources prefix(FusionConfig config, String topicPrefix, String stop) {
        return new PrefixSources(config.get(FusionOptions.BOOTSTRAP_SERVERS), topicPrefix,
                Arrays.stream(stop.split(",")).mapToLong(Long::parseLong).toArray(),
                config.get(FusionOptions.GROUP_ID));
    }

    /**
     * A local MiniCluster with the job's settings, checkpoints on the file system as in a
     * deployment (the in-memory default refuses state above 5 MB, which a backlog's alignment
     * state exceeds), and no restarts.
     */
    private static StreamExecutionEnvironment environment(FusionConfig config, Path checkpointDir) {
        Configuration conf = FusionEnvironment.baseConfiguration();
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir.toUri().toString());
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, Math.max(4,
                config.get(FusionOptions.PARALLELISM)));
        // Else a local environment's default parallelism, the number of cores, wins over the job's.
        conf.set(CoreOptions.DEFAULT_PARALLELISM, config.get(FusionOptions.PARALLELISM));
        conf.set(TaskManagerOptions.TASK_OFF_HEAP_MEMORY, MemorySize.ofMebiBytes(128));
        if (config.get(FusionOptions.STATE_CHANGELOG)) {
            conf.addAll(FusionEnvironment.changelogStorage(checkpointDir.toUri()));
        }
        StreamExecutionEnvironment env = FusionEnvironment.configure(
                StreamExecutionEnvironment.createLocalEnvironment(conf), config);
        Configuration run = new Configuration();
        // A run that fails and restarts is not a measurement: fail it instead.
        run.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        env.configure(run);
        return env;
    }

    private static void awaitRunning(JobClient client) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (client.getJobStatus().get() != JobStatus.RUNNING) {
            if (client.getJobStatus().get().isTerminalState()
                    || System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the job is " + client.getJobStatus().get()
                        + ", not running");
            }
            Thread.sleep(100);
        }
        // Tasks deploy and open their model sessions just after the job turns RUNNING.
        Thread.sleep(2000);
    }

    private static void awaitStop() throws java.io.IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
                StandardCharsets.UTF_8));
        String line;
        do {
            line = in.readLine();
        } while (line != null && !line.trim().equals("stop"));
    }
}
