package dev.fusion.bench.pipeline;

import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.codec.CodecException;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A downstream {@code read_committed} consumer of the fused topic that records, for every fusion
 * whose event time lies in the measurement window, two latencies: job-internal
 * ({@code emitted_at - event_time}) and visible ({@code now - event_time} when the consumer
 * receives it, the exactly-once commit included). It also counts the fusions emitted during
 * the window, for the open-loop maximum.
 */
final class LatencyProbe implements Runnable {

    private final String bootstrap;
    private final String topic;
    private final long fromMillis;
    private final long toMillis;
    private long[] eventTimes = new long[1 << 16];
    private long[] internal = new long[1 << 16];
    private long[] visible = new long[1 << 16];
    private int count;
    private long emittedInWindow;
    private volatile boolean running = true;
    private volatile Exception failure;

    LatencyProbe(String bootstrap, String topic, long fromMillis, long toMillis) {
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.fromMillis = fromMillis;
        this.toMillis = toMillis;
    }

    @Override
    public void run() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        SingleObjectCodec<FusedEvent> codec = SingleObjectCodec.forSpecific(FusedEvent.class);
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic,
                    Duration.ofSeconds(30)).stream().map(p -> new TopicPartition(topic,
                            p.partition())).collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                var records = consumer.poll(Duration.ofMillis(20));
                long now = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    FusedEvent e = codec.decode(r.value());
                    long t = e.getEventTime().toEpochMilli();
                    long emitted = e.getEmittedAt().toEpochMilli();
                    if (t >= fromMillis && t < toMillis) {
                        add(t, emitted - t, now - t);
                    }
                    if (emitted >= fromMillis && emitted < toMillis) {
                        countEmitted();
                    }
                }
            }
        } catch (CodecException | RuntimeException e) {
            failure = e;
        }
    }

    private synchronized void add(long eventTime, long internalMillis, long visibleMillis) {
        if (count == internal.length) {
            eventTimes = Arrays.copyOf(eventTimes, 2 * count);
            internal = Arrays.copyOf(internal, 2 * count);
            visible = Arrays.copyOf(visible, 2 * count);
        }
        eventTimes[count] = eventTime;
        internal[count] = internalMillis;
        visible[count] = visibleMillis;
        count++;
    }

    private synchronized void countEmitted() {
        emittedInWindow++;
    }

    /**
     * Fusions the job emitted during the window, whatever their event time: under overload, the
     * rate the job sustains while the load generator and the broker share the machine with it.
     */
    synchronized long emittedInWindow() {
        return emittedInWindow;
    }

    void stop() {
        running = false;
    }

    /** Fusions seen so far in the window. */
    synchronized int count() {
        return count;
    }

    /** Job-internal latencies (ms), sorted. */
    synchronized long[] internalSorted() {
        long[] v = Arrays.copyOf(internal, count);
        Arrays.sort(v);
        return v;
    }

    /** Visible latencies (ms), sorted. */
    synchronized long[] visibleSorted() {
        long[] v = Arrays.copyOf(visible, count);
        Arrays.sort(v);
        return v;
    }

    /**
     * Per second of event time in the window: fusions, internal p50 and p99, visible p50 and p99
     * (CSV lines with a header), to see whether latency is steady or drifts.
     */
    synchronized List<String> perSecond() {
        List<String> lines = new java.util.ArrayList<>();
        lines.add("second,fusions,internal_p50_ms,internal_p99_ms,visible_p50_ms,visible_p99_ms");
        int seconds = (int) ((toMillis - fromMillis + 999) / 1000);
        for (int sec = 0; sec < seconds; sec++) {
            long lo = fromMillis + 1000L * sec;
            long[] in = new long[count];
            long[] vis = new long[count];
            int n = 0;
            for (int i = 0; i < count; i++) {
                if (eventTimes[i] >= lo && eventTimes[i] < lo + 1000) {
                    in[n] = internal[i];
                    vis[n++] = visible[i];
                }
            }
            in = Arrays.copyOf(in, n);
            vis = Arrays.copyOf(vis, n);
            Arrays.sort(in);
            Arrays.sort(vis);
            lines.add(sec + "," + n + "," + quantile(in, 0.5) + "," + quantile(in, 0.99) + ","
                    + quantile(vis, 0.5) + "," + quantile(vis, 0.99));
        }
        return lines;
    }

    Exception failure() {
        return failure;
    }

    /** The q-quantile (nearest rank) of sorted values, or -1 if there are none. */
    static long quantile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
