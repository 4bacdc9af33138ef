package dev.fusion.bench.floor;

import dev.fusion.bench.passthrough.PassThroughInference;
import dev.fusion.bench.pipeline.ProcessSampler;
import dev.fusion.bench.pipeline.Workload;
import dev.fusion.jobs.FusionJob;
import dev.fusion.jobs.InferenceFactory;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.models.manifest.Modality;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.common.TopicPartition;

/**
 * The raw floor in a JVM of its own: the workload's input partitions copied to an output topic by
 * plain Kafka clients, one {@link PartitionCopier} thread per input partition, no Flink, so that
 * its CPU time, heap and RSS are comparable with a {@code PipelineChild}'s.
 *
 * <p>Arguments: {@code --bootstrap SERVERS}, {@code --workload PREFIX} (the preloaded topics),
 * {@code --stop O1,O2,...} (stop offset per partition of every input topic), {@code --id ID}
 * (output topic {@code ID.fused}, consumer group and transactional ids {@code floor-ID-...}),
 * {@code --commit-interval-ms N}, {@code --timeline FILE}, {@code --summary FILE}; to warm the
 * JVM up first with a pass of its own over a prefix of the workload, {@code --warmup-id ID
 * --warmup-stop O1,O2,...}. The summary holds {@code submitted_ms}, {@code finished_ms},
 * {@code copied}, {@code peak_heap_bytes}, {@code vm_hwm_kb}, or {@code error}.
 */
public final class RawFloorChild {

    private RawFloorChild() {
    }

    @SuppressWarnings("try") // the sampler runs for the whole try block without being referenced
    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            args.put(argv[i].substring(2), argv[i + 1]);
        }
        Properties result = new Properties();
        int code = 0;
        try (ProcessSampler sampler = new ProcessSampler(Path.of(args.get("timeline")), 100)) {
            Duration interval = Duration.ofMillis(Long.parseLong(args.get("commit-interval-ms")));
            if (args.containsKey("warmup-id")) {
                // As the pipeline runs do: JIT-compiled code from the measured pass's first record.
                copy(args.get("bootstrap"), args.get("workload"), offsets(args.get("warmup-stop")),
                        args.get("warmup-id"), interval);
                result.setProperty("warmup_finished_ms",
                        String.valueOf(System.currentTimeMillis()));
            }
            result.setProperty("submitted_ms", String.valueOf(System.currentTimeMillis()));
            long copied = copy(args.get("bootstrap"), args.get("workload"),
                    offsets(args.get("stop")), args.get("id"), interval);
            result.setProperty("finished_ms", String.valueOf(System.currentTimeMillis()));
            result.setProperty("copied", String.valueOf(copied));
        } catch (Exception e) {
            result.setProperty("error", e.toString());
            e.printStackTrace();
            code = 1;
        }
        result.setProperty("peak_heap_bytes", String.valueOf(ProcessSampler.peakHeapBytes()));
        result.setProperty("vm_hwm_kb", String.valueOf(ProcessSampler.procStatusKb("VmHWM")));
        try (var out = Files.newBufferedWriter(Path.of(args.get("summary")))) {
            result.store(out, "raw floor run");
        }
        System.exit(code);
    }

    /**
     * Copies every input partition of the workload up to {@code stop} into {@code id.fused}, one
     * thread per partition; returns the records copied.
     */
    static long copy(String bootstrap, String workload, long[] stop, String id, Duration interval)
            throws Exception {
        Clock clock = Clock.systemUTC();
        FusionConfig config = FusionConfig.of(Map.of());
        InferenceFactory inference = new PassThroughInference();
        FusionJob job = new FusionJob(config, clock, inference);
        InferenceFactory.Setup setup = new InferenceFactory.Setup(config.models(), job.manifest(),
                job.fusionMode(), config.runtimeOptions(), clock);
        List<PartitionCopier> copiers = new ArrayList<>();
        for (Modality stream : job.manifest().modalities()) {
            String topic = Workload.topic(workload, dev.fusion.schemas.Modality.valueOf(
                    stream.id().toUpperCase(Locale.ROOT)));
            for (int p = 0; p < stop.length; p++) {
                copiers.add(new PartitionCopier(bootstrap, new TopicPartition(topic, p), stop[p],
                        id + ".fused", "floor-" + id + "-" + topic + "-" + p, "floor-" + id,
                        interval, new PassThroughTransform(job, inference, setup, stream,
                                stream.index() == 0)));
            }
        }
        ExecutorService threads = Executors.newFixedThreadPool(copiers.size());
        try {
            List<Future<Long>> done = threads.invokeAll(copiers);
            long copied = 0;
            for (Future<Long> f : done) {
                copied += f.get();
            }
            return copied;
        } finally {
            threads.shutdownNow();
        }
    }

    private static long[] offsets(String list) {
        return Arrays.stream(list.split(",")).mapToLong(Long::parseLong).toArray();
    }
}
