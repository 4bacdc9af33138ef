package dev.fusion.bench.pipeline;

import dev.fusion.jobs.kafka.TopicAdmin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every measured run in a child JVM shares with the harness: its summary file, its stop
 * offsets on the command line, and the topics named after it.
 */
public final class RunFiles {

    private static final Logger LOG = LoggerFactory.getLogger(RunFiles.class);

    private RunFiles() {
    }

    /**
     * The summary run {@code id} wrote into {@code workDir}.
     *
     * @throws IllegalStateException if the run reported an error
     */
    public static Properties summary(Path workDir, String id) throws IOException {
        Properties summary = new Properties();
        try (var in = Files.newBufferedReader(workDir.resolve(id + ".properties"))) {
            summary.load(in);
        }
        if (summary.getProperty("error") != null) {
            throw new IllegalStateException(id + " failed: " + summary.getProperty("error")
                    + "; see " + workDir.resolve(id + ".log"));
        }
        return summary;
    }

    /** Offsets per partition as a child takes them: comma-separated. */
    public static String offsets(long[] offsets) {
        return LongStream.of(offsets).mapToObj(String::valueOf).collect(Collectors.joining(","));
    }

    /** Deletes every topic of run {@code id} ({@code id.*}), so a long session does not fill the disk. */
    public static void deleteTopics(String bootstrap, String id) {
        try (TopicAdmin admin = new TopicAdmin(bootstrap)) {
            var names = admin.admin().listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(t -> t.startsWith(id + ".")).collect(Collectors.toList());
            admin.admin().deleteTopics(names).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("could not delete the topics of {}: {}", id, e.toString());
        }
    }
}
