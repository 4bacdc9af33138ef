package dev.fusion.it;

import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Tails the fused topic {@code read_committed}, as a downstream reader does, and remembers when
 * each source event id first became visible; it keeps reading across broker failures.
 */
final class CommittedOutputWatcher implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, Long> firstSeenMillis = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile Throwable failure;

    CommittedOutputWatcher(String bootstrapServers, String topic, int partitions) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> assigned = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            assigned.add(new TopicPartition(topic, p));
        }
        consumer.assign(assigned);
        consumer.seekToBeginning(assigned);
        thread = new Thread(this::run, "committed-output-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        SingleObjectCodec<FusedEvent> codec = SingleObjectCodec.forSpecific(FusedEvent.class);
        try {
            while (true) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.currentTimeMillis();
                    for (String id : codec.decode(r.value()).getSourceEventIds()) {
                        firstSeenMillis.putIfAbsent(id, now);
                    }
                }
            }
        } catch (WakeupException e) {
            // close()
        } catch (Throwable t) {
            failure = t;
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** How many source event ids are visible in committed fusions. */
    int visible() {
        checkAlive();
        return firstSeenMillis.size();
    }

    /**
     * The earliest time a source id not in {@code before} became visible, or -1 if none has:
     * with {@code before} the ids sent up to a moment, when output of later input first showed.
     */
    long firstVisibleNotIn(Set<String> before) {
        checkAlive();
        return firstSeenMillis.entrySet().stream().filter(e -> !before.contains(e.getKey()))
                .mapToLong(Map.Entry::getValue).min().orElse(-1);
    }

    /** The earliest time any source id became visible at or after {@code millis}, or -1. */
    long firstVisibleFrom(long millis) {
        checkAlive();
        return firstSeenMillis.values().stream().filter(t -> t >= millis)
                .mapToLong(Long::longValue).min().orElse(-1);
    }

    private void checkAlive() {
        if (failure != null) {
            throw new AssertionError("reading the committed output failed", failure);
        }
    }

    @Override
    public void close() throws InterruptedException {
        consumer.wakeup();
        thread.join(10_000);
    }
}
