package dev.fusion.jobs.cli;

import dev.fusion.jobs.FusionJobMain;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import dev.fusion.jobs.kafka.KafkaClientProperties;
import dev.fusion.jobs.kafka.TopicAdmin;
import dev.fusion.jobs.lifecycle.LocalState;
import dev.fusion.jobs.lifecycle.Snapshot;
import dev.fusion.jobs.lifecycle.StartPlan;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code run}: the fusion job against an existing Kafka cluster, on a local Flink MiniCluster,
 * with durable state: it resumes from its latest retained checkpoint or savepoint, and Ctrl-C
 * (SIGINT or SIGTERM) stops it with a savepoint.
 */
final class RunCommand {

    static final Set<String> OPTIONS = Set.of("config", "partitions", "web-port", "from");
    static final Set<String> FLAGS = Set.of("create-topics", "fresh");

    /** Longest wait for the savepoint of a stop before the run exits without one. */
    private static final Duration STOP_TIMEOUT = Duration.ofMinutes(2);

    private RunCommand() {
    }

    static void run(String[] argv, PrintStream out) throws Exception {
        Args args = Args.parse("run", argv, OPTIONS, FLAGS);
        FusionConfig config = CliConfig.load(args);
        boolean fresh = args.flag("fresh");
        if (fresh) {
            config = config.with(Map.of(FusionOptions.START_FRESH.key(), "true"));
        }
        if (!config.isSet(FusionOptions.BOOTSTRAP_SERVERS)) {
            throw new Args.UsageException("run: set kafka.bootstrap-servers (in --config or with --set"
                    + " kafka.bootstrap-servers=host:port)");
        }
        if (args.flag("create-topics")) {
            try (TopicAdmin admin = new TopicAdmin(KafkaClientProperties.of(config))) {
                admin.createTopics(BrokerCommand.topicPartitions(config, args.intValue("partitions", 2)),
                        config.get(FusionOptions.TOPIC_REPLICATION_FACTOR), Duration.ofSeconds(30));
            }
        }
        LocalCluster.checkDevice(config);
        int webPort = LocalCluster.resolvePort(args.intValue("web-port", 8081));
        int metricsPort = LocalCluster.metricsPort(config);

        LocalState state = LocalState.durable(config);
        StartPlan plan = StartPlan.decide(state.retained(), args.get("from", null), fresh, Instant.now());
        plan.announcements().forEach(out::println);
        StreamExecutionEnvironment env = LocalCluster.environment(config, webPort, metricsPort, state,
                plan.flinkSettings());
        FusionJobMain.submit(env, config);
        JobClient job = env.executeAsync(config.get(FusionOptions.JOB_NAME));
        out.println("job " + job.getJobID() + " running; Flink web UI: http://localhost:" + webPort
                + ", metrics: " + LocalCluster.metricsUrl(metricsPort));
        out.println("state in " + Snapshot.display(state.retained().jobCheckpointDir().toUri())
                + "; Ctrl-C stops with a savepoint in " + Snapshot.display(state.savepointDir())
                + ", and the next run resumes from it");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopWithSavepoint(job, state, out),
                "run-stop"));
        job.getJobExecutionResult().get();
    }

    /**
     * Stops the job with a savepoint (no drain: open windows stay in the savepoint and fuse in
     * the next run). Where that fails, the latest retained checkpoint is still there to resume.
     */
    private static void stopWithSavepoint(JobClient job, LocalState state, PrintStream out) {
        try {
            if (job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                return;
            }
            out.println("stopping with a savepoint...");
            String path = job.stopWithSavepoint(false, state.savepointDir().toString(),
                    SavepointFormatType.CANONICAL).get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            out.println("stopped with savepoint " + Snapshot.display(URI.create(path))
                    + "; the next './fusion run' resumes from it");
        } catch (Exception e) {
            out.println("could not stop with a savepoint (" + e + "); the next './fusion run' resumes"
                    + " from the latest retained checkpoint in "
                    + Snapshot.display(state.retained().jobCheckpointDir().toUri()));
        }
        out.flush();
    }
}
