package dev.fusion.jobs.cli;

import dev.fusion.jobs.FusionJob;
import dev.fusion.jobs.FusionJobMain;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import dev.fusion.jobs.kafka.TopicAdmin;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** {@code run}: the fusion job against an existing Kafka cluster, on a local Flink MiniCluster. */
final class RunCommand {

    static final Set<String> OPTIONS = Set.of("config", "partitions", "web-port");
    static final Set<String> FLAGS = Set.of("create-topics");

    private RunCommand() {
    }

    static void run(String[] argv, PrintStream out) throws Exception {
        Args args = Args.parse("run", argv, OPTIONS, FLAGS);
        FusionConfig config = CliConfig.load(args);
        if (!config.isSet(FusionOptions.BOOTSTRAP_SERVERS)) {
            throw new Args.UsageException("run: set kafka.bootstrap-servers (in --config or with --set"
                    + " kafka.bootstrap-servers=host:port)");
        }
        if (args.flag("create-topics")) {
            try (TopicAdmin admin = new TopicAdmin(config.get(FusionOptions.BOOTSTRAP_SERVERS))) {
                admin.createTopics(BrokerCommand.topicPartitions(config, args.intValue("partitions", 2)),
                        Duration.ofSeconds(30));
            }
        }
        LocalCluster.checkDevice(config, new FusionJob(config, Clock.systemUTC()).inferenceOptions());
        int webPort = LocalCluster.resolvePort(args.intValue("web-port", 8081));
        StreamExecutionEnvironment env = LocalCluster.environment(config, webPort);
        FusionJobMain.submit(env, config);
        JobClient job = env.executeAsync(config.get(FusionOptions.JOB_NAME));
        out.println("job " + job.getJobID() + " running; Flink web UI: http://localhost:" + webPort
                + "  (Ctrl-C cancels)");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                job.cancel().get();
            } catch (Exception e) {
                // The JVM is going down; the job goes with it.
            }
        }, "run-stop"));
        job.getJobExecutionResult().get();
    }
}
