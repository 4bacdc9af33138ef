package dev.fusion.jobs.cli;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusion.jobs.embedded.EmbeddedKafkaBroker;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run --create-topics} creates the topics with {@code kafka.topic-replication-factor}: a
 * factor the cluster cannot hold fails at start, naming the topic and the key.
 */
class RunCreateTopicsITCase {

    @Test
    void theReplicationFactorReachesTopicCreation(@TempDir Path state) throws Exception {
        // The metrics port is taken: were the factor ignored, the run would stop at that check,
        // right after creating the topics, instead of starting the job.
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
                ServerSocket taken = new ServerSocket(0)) {
            String[] argv = {"--create-topics",
                    "--set", "kafka.bootstrap-servers=" + broker.bootstrapServers(),
                    "--set", "kafka.topic-replication-factor=2",
                    "--set", "inference.device=cpu",
                    "--set", "metrics.port=" + taken.getLocalPort(),
                    "--set", "job.checkpoint-dir=" + state};
            assertThatThrownBy(() -> RunCommand.run(argv,
                    new PrintStream(OutputStream.nullOutputStream())))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("cannot create topic fusion.")
                    .hasMessageContaining(" with replication factor 2"
                            + " (kafka.topic-replication-factor): ");
        }
    }
}
