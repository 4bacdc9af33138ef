package dev.fusion.jobs.embedded;

import java.io.IOException;
import java.io.InputStream;

/**
 * Main class of one node of an {@link EmbeddedKafkaCluster}: Kafka's own {@code kafka.Kafka}
 * server main on a {@code server.properties}, in a JVM that halts as soon as its parent is gone.
 *
 * <p>The parent holds this process's standard input open and never writes to it; end of input
 * means the parent exited, even by SIGKILL, when no shutdown hook of its could stop the node.
 */
public final class EmbeddedKafkaNode {

    private EmbeddedKafkaNode() {
    }

    /** {@code args[0]}: the node's {@code server.properties}. */
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: EmbeddedKafkaNode server.properties");
            System.exit(2);
        }
        Thread watchdog = new Thread(() -> {
            awaitEndOfInput(System.in);
            // No clean shutdown: a node whose test is gone must not linger for its own timeouts.
            Runtime.getRuntime().halt(1);
        }, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        kafka.Kafka.main(args);
    }

    private static void awaitEndOfInput(InputStream in) {
        byte[] buffer = new byte[64];
        try {
            while (in.read(buffer) >= 0) {
                // The parent writes nothing; anything read is ignored.
            }
        } catch (IOException e) {
            // A broken pipe is the parent gone too.
        }
    }
}
