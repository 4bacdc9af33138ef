package dev.fusion.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

/**
 * The network threads of the Kafka producers a test's job made, found by the transactional-id
 * prefix in their client ids ({@code producer-<prefix>-fused-0-1}): a test waits for its own to end
 * before its broker stops, so that none outlives it into the next test class.
 */
final class KafkaClientThreads {

    private KafkaClientThreads() {
    }

    /** The live producer network threads whose client id starts with {@code transactionalIdPrefix}. */
    static List<String> producersOf(String transactionalIdPrefix) {
        String marker = "producer-" + transactionalIdPrefix + "-";
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith("kafka-producer-network-thread") && n.contains(marker))
                .toList();
    }

    /** Waits up to {@code timeout} for them to end; fails naming those still alive. */
    static void awaitGone(String transactionalIdPrefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> alive = producersOf(transactionalIdPrefix);
        while (!alive.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            alive = producersOf(transactionalIdPrefix);
        }
        assertThat(alive).as("Kafka producer threads of the job still alive after the test").isEmpty();
    }
}
