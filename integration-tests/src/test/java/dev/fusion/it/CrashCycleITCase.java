package dev.fusion.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.jobs.lifecycle.JobIdentity;
import dev.fusion.jobs.lifecycle.RetainedState;
import dev.fusion.jobs.lifecycle.Snapshot;
import dev.fusion.schemas.AlignmentPolicy;
import dev.fusion.schemas.FusedEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./fusion run} as a user runs it, in its own JVM, with live traffic flowing: killed with
 * SIGKILL twice, stopped with SIGTERM once, and started again each time with the same command.
 * Each new run resumes from what the last one left (a retained checkpoint after a kill, the
 * savepoint after SIGTERM); when the traffic stops, the quiet inputs are flushed, and the
 * committed output accounts for every event sent exactly once; and so it does when the changelog
 * state backend and unaligned checkpoints are switched on and off between the runs.
 */
class CrashCycleITCase extends KafkaJobTestBase {

    private static final Logger LOG = LoggerFactory.getLogger(CrashCycleITCase.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path state;

    @Test
    void killedAndStoppedRunsResumeWithoutLosingOrDuplicatingAnEvent() throws Exception {
        cycle("crash-cycle-", List.of(Map.of(), Map.of(), Map.of(), Map.of()));
    }

    /**
     * The same cycle with {@code job.state-changelog} switched between runs: on from the start,
     * materialized every second, so the second run restores a materialized snapshot and the
     * changelog after it after SIGKILL; off for the third, which restores the second's changelog
     * checkpoint without it; on again for the last, from the third's savepoint. The second and
     * third runs take unaligned checkpoints too, so the third restores an unaligned changelog
     * checkpoint, with the records it caught between tasks.
     */
    @Test
    void theChangelogAndUnalignedCheckpointsSurviveKillsAndCanBeSwitchedBetweenRuns()
            throws Exception {
        String changelog = "job.state-changelog";
        String unaligned = "job.unaligned-checkpoints";
        String jobName = cycle("changelog-cycle-", List.of(Map.of(changelog, "true",
                        "job.changelog-materialize-interval", "1 s"),
                Map.of(changelog, "true", unaligned, "true"),
                Map.of(changelog, "false", unaligned, "true"), Map.of(changelog, "true")));
        Path changes = state.resolve("checkpoints").resolve("changelog")
                .resolve(JobIdentity.of(jobName).toHexString()).resolve("dstl");
        try (Stream<Path> files = Files.list(changes)) {
            assertThat(files.count()).as("changelog files in %s", changes).isPositive();
        }
    }

    /**
     * Runs {@code ./fusion run} four times over live traffic, ending the first two with SIGKILL
     * and the third with SIGTERM, the n-th run with the further settings {@code settings.get(n)};
     * then checks that every event sent is accounted for exactly once.
     *
     * @return the job's name
     */
    private String cycle(String namePrefix, List<Map<String, String>> settings) throws Exception {
        String jobName = namePrefix + topics.suffix();
        RetainedState retained = new RetainedState(state.resolve("checkpoints").toUri(),
                state.resolve("checkpoints").resolve("savepoints").toUri(), JobIdentity.of(jobName));
        LiveTraffic traffic = new LiveTraffic(broker.bootstrapServers(), topics, 60, 40, "live-");
        traffic.start();
        List<String> endings = List.of("SIGKILL", "SIGKILL", "SIGTERM");
        Optional<Snapshot> last = Optional.empty();
        for (int run = 0; run < endings.size(); run++) {
            try (CliProcess cli = CliProcess.start(state.resolve("run-" + run + ".log"),
                    runCommand(jobName, settings.get(run)))) {
                String start = cli.awaitLine("^(resuming|no retained state)", START_TIMEOUT);
                if (run == 0) {
                    assertThat(start).startsWith("no retained state of this job");
                } else {
                    String kind = endings.get(run - 1).equals("SIGKILL") ? "checkpoint" : "savepoint";
                    assertThat(start).startsWith("resuming from the latest retained " + kind)
                            .contains(Path.of(last.orElseThrow().location()).toString());
                }
                String running = cli.awaitLine("^job [0-9a-f]{32} running", START_TIMEOUT);
                assertThat(checkpointConfig(running)).as("run %d's checkpoint configuration", run)
                        .contains("\"unaligned_checkpoints\":" + settings.get(run)
                                .getOrDefault("job.unaligned-checkpoints", "false"));
                // Let the run make progress of its own: at least two checkpoints of its own.
                last = awaitNewerSnapshot(retained, last);
                last = awaitNewerSnapshot(retained, last);
                if (endings.get(run).equals("SIGKILL")) {
                    cli.kill();
                } else {
                    // 128 + 15: the JVM ran its shutdown hooks, the stop with a savepoint among them.
                    assertThat(cli.terminate(Duration.ofMinutes(2))).as("exit code after SIGTERM")
                            .isEqualTo(143);
                    assertThat(cli.output()).contains("stopped with savepoint");
                }
                LOG.info("run {} ({}) ended by {} after {} events sent; latest snapshot {}",
                        run, settings.get(run), endings.get(run), traffic.sentSoFar(),
                        retained.latest().map(Snapshot::describe));
                last = retained.latest();
            }
        }
        try (CliProcess cli = CliProcess.start(state.resolve("run-final.log"),
                runCommand(jobName, settings.get(endings.size())))) {
            assertThat(cli.awaitLine("^(resuming|no retained state)", START_TIMEOUT))
                    .startsWith("resuming from the latest retained savepoint");
            cli.awaitLine("^job [0-9a-f]{32} running", START_TIMEOUT);
            awaitNewerSnapshot(retained, last);
            List<String> sent = traffic.stop();
            // Quiet inputs: the open windows fuse after align.idle-flush-after.
            Outputs out = awaitAccounted(sent, Duration.ofSeconds(90));
            report(sent, out);
            Accounting.assertExact(sent, out.fused(), out.deadLetters(), out.dropped());
            assertThat(out.deadLetters()).as("dead letters").isEmpty();
            assertThat(out.dropped()).as("dropped events").isEmpty();
        }
        return jobName;
    }

    /** The job's checkpoint configuration from the web UI that {@code running} announces. */
    private static String checkpointConfig(String running) throws Exception {
        Matcher m = Pattern.compile("^job ([0-9a-f]{32}) running; Flink web UI: (http://\\S+?),")
                .matcher(running);
        assertThat(m.find()).as("job id and web UI in '%s'", running).isTrue();
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(m.group(2) + "/jobs/" + m.group(1) + "/checkpoints/config"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET checkpoints/config: %s", response.body())
                .isEqualTo(200);
        return response.body();
    }

    private List<String> runCommand(String jobName, Map<String, String> further) {
        List<String> args = new ArrayList<>(List.of("run", "--web-port", "0"));
        Map<String, String> settings = new TreeMap<>(topics.configuration());
        settings.put("kafka.bootstrap-servers", broker.bootstrapServers());
        settings.put("kafka.group-id", "it-" + topics.suffix());
        settings.put("kafka.transactional-id-prefix", topics.suffix());
        settings.put("kafka.transaction-timeout", "1 min");
        settings.put("job.name", jobName);
        settings.put("job.checkpoint-dir", state.resolve("checkpoints").toString());
        settings.put("job.checkpoint-interval", "500 ms");
        settings.put("inference.device", "cpu");
        settings.put("align.window", "1 s");
        settings.put("align.idle-flush-after", "3 s");
        settings.putAll(further);
        settings.forEach((k, v) -> {
            args.add("--set");
            args.add(k + "=" + v);
        });
        return args;
    }

    private static Optional<Snapshot> awaitNewerSnapshot(RetainedState retained, Optional<Snapshot> than)
            throws Exception {
        await("a snapshot newer than " + than.map(Snapshot::describe).orElse("none"),
                Duration.ofSeconds(90), () -> retained.latest().isPresent() && (than.isEmpty()
                        || retained.latest().get().completedAt().isAfter(than.get().completedAt())));
        return retained.latest();
    }

    /** Reads the committed outputs until every id sent is accounted for (or the time is up). */
    private Outputs awaitAccounted(List<String> sent, Duration timeout) throws Exception {
        Set<String> expected = new HashSet<>(sent);
        Outputs[] out = new Outputs[1];
        try {
            await("every id sent to be accounted for", timeout, () -> {
                out[0] = readOutputs();
                return accounted(out[0]).containsAll(expected);
            });
        } catch (AssertionError e) {
            // The exact assertion below says what is missing.
        }
        return out[0];
    }

    private static Set<String> accounted(Outputs out) {
        Set<String> ids = new HashSet<>();
        out.fused().forEach(f -> ids.addAll(f.getSourceEventIds()));
        out.deadLetters().forEach(d -> ids.add(d.getEventId()));
        out.dropped().forEach(d -> ids.add(d.getEventId()));
        return ids;
    }

    private static void report(List<String> sent, Outputs out) {
        List<String> all = new ArrayList<>();
        for (FusedEvent f : out.fused()) {
            assertThat(f.getAlignment()).isEqualTo(AlignmentPolicy.WINDOW);
            all.addAll(f.getSourceEventIds());
        }
        out.deadLetters().forEach(d -> all.add(d.getEventId()));
        out.dropped().forEach(d -> all.add(d.getEventId()));
        Set<String> distinct = new HashSet<>(all);
        Set<String> missing = new HashSet<>(sent);
        missing.removeAll(distinct);
        LOG.info("crash cycle: sent {} / fused {} events in {} fusions / dlq {} / dropped {} /"
                + " missing {} / duplicated {}", sent.size(),
                all.size() - out.deadLetters().size() - out.dropped().size(), out.fused().size(),
                out.deadLetters().size(), out.dropped().size(), missing.size(),
                all.size() - distinct.size());
    }
}
