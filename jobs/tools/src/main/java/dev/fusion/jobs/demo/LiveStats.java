package dev.fusion.jobs.demo;

import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DroppedEvent;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.codec.CodecException;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Watches the job's committed outputs ({@code read_committed}, like any downstream consumer) and
 * keeps what the status line and the summary show: counts, end-to-end latency, accuracy against
 * the producer's ground truth, mean modality weights, all split by event time before and after
 * corruption.
 */
final class LiveStats implements Runnable {

    /** Counters of one phase (before or after the corruption switch). */
    static final class Phase {
        long fused;
        /** Fusions of entities whose class the producer knows (all, or none without truth). */
        long judged;
        long correct;
        long accountedInputs;
        final double[] weightSums;
        final List<Long> latencies = new ArrayList<>();

        Phase(int streams) {
            weightSums = new double[streams];
        }

        double accuracy() {
            return judged == 0 ? Double.NaN : (double) correct / judged;
        }

        double meanWeight(int m) {
            return fused == 0 ? Double.NaN : weightSums[m] / fused;
        }

        Phase copy() {
            Phase copy = new Phase(weightSums.length);
            copy.fused = fused;
            copy.judged = judged;
            copy.correct = correct;
            copy.accountedInputs = accountedInputs;
            System.arraycopy(weightSums, 0, copy.weightSums, 0, weightSums.length);
            copy.latencies.addAll(latencies);
            return copy;
        }
    }

    private final String bootstrap;
    private final String fusedTopic;
    private final String dlqTopic;
    private final String droppedTopic;
    private final Map<String, Integer> truth;
    private final Predicate<Instant> corruptedAt;
    private final LongSupplier startedAt;
    private final LongSupplier warmUpEnd;
    private final int streams;
    private final Phase[] phases;
    private final Phase window;
    private final TreeMap<Long, EventSecond> byEventSecond = new TreeMap<>();
    private long deadLetters;
    private long dropped;
    private volatile boolean running = true;

    /**
     * @param streams how many streams the fused records weigh (their slots)
     */
    LiveStats(String bootstrap, String fusedTopic, String dlqTopic, String droppedTopic, int streams,
            Map<String, Integer> truth, Predicate<Instant> corruptedAt, LongSupplier startedAt,
            LongSupplier warmUpEnd) {
        this.streams = streams;
        this.phases = new Phase[] {new Phase(streams), new Phase(streams)};
        this.window = new Phase(streams);
        this.bootstrap = bootstrap;
        this.fusedTopic = fusedTopic;
        this.dlqTopic = dlqTopic;
        this.droppedTopic = droppedTopic;
        this.truth = truth;
        this.corruptedAt = corruptedAt;
        this.startedAt = startedAt;
        this.warmUpEnd = warmUpEnd;
    }

    @Override
    public void run() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "fusion-demo-status");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        SingleObjectCodec<FusedEvent> fusedCodec = SingleObjectCodec.forSpecific(FusedEvent.class);
        SingleObjectCodec<DeadLetter> dlqCodec = SingleObjectCodec.forSpecific(DeadLetter.class);
        SingleObjectCodec<DroppedEvent> droppedCodec = SingleObjectCodec.forSpecific(DroppedEvent.class);
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(fusedTopic, dlqTopic, droppedTopic));
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.currentTimeMillis();
                    try {
                        if (r.topic().equals(fusedTopic)) {
                            fused(fusedCodec.decode(r.value()), now);
                        } else if (r.topic().equals(dlqTopic)) {
                            dlqCodec.decode(r.value());
                            synchronized (this) {
                                deadLetters++;
                            }
                        } else {
                            droppedCodec.decode(r.value());
                            synchronized (this) {
                                dropped++;
                            }
                        }
                    } catch (CodecException e) {
                        throw new IllegalStateException("the job wrote an undecodable record to " + r.topic(), e);
                    }
                }
            }
        }
    }

    void stop() {
        running = false;
    }

    private synchronized void fused(FusedEvent e, long now) {
        // By event time: an output of events produced before the switch counts before it, even
        // when the job, still starting, writes it after.
        Phase phase = phases[corruptedAt.test(e.getEventTime()) ? 1 : 0];
        Integer label = truth.get(e.getEntityId());
        int predicted = argmax(e.getScores());
        long latency = now - e.getEventTime().toEpochMilli();
        // Fusions of the first seconds wait for the job to start: keep them out of the summary.
        if (e.getEventTime().toEpochMilli() >= warmUpEnd.getAsLong()) {
            phase.latencies.add(latency);
        }
        window.latencies.add(latency);
        countByEventSecond(e, label != null, label != null && label == predicted);
        for (Phase p : new Phase[] {phase, window}) {
            p.fused++;
            if (label != null) {
                p.judged++;
            }
            if (label != null && label == predicted) {
                p.correct++;
            }
            p.accountedInputs += e.getTriggerEventId() != null ? 1 : e.getSourceEventIds().size();
            for (int m = 0; m < streams; m++) {
                p.weightSums[m] += e.getWeights().get(m);
            }
        }
    }

    private void countByEventSecond(FusedEvent e, boolean judged, boolean correct) {
        long started = startedAt.getAsLong();
        if (started == 0) {
            return;
        }
        long second = Math.max(0, (e.getEventTime().toEpochMilli() - started) / 1000);
        EventSecond old = byEventSecond.get(second);
        double[] sums = old == null ? new double[streams] : old.weightSums().clone();
        for (int m = 0; m < streams; m++) {
            sums[m] += e.getWeights().get(m);
        }
        byEventSecond.put(second, new EventSecond(second, (old == null ? 0 : old.fused()) + 1,
                (old == null ? 0 : old.judged()) + (judged ? 1 : 0),
                (old == null ? 0 : old.correct()) + (correct ? 1 : 0), sums));
        while (byEventSecond.size() > DemoTimeline.CAPACITY) {
            byEventSecond.pollFirstEntry();
        }
    }

    /** The outputs so far by event-time second, oldest first (the latest {@link DemoTimeline#CAPACITY}). */
    synchronized List<EventSecond> byEventSecond() {
        return List.copyOf(byEventSecond.values());
    }

    /** The counters since the last call (for the per-second status line), then reset. */
    synchronized Phase drainWindow() {
        Phase copy = window.copy();
        window.fused = 0;
        window.judged = 0;
        window.correct = 0;
        window.accountedInputs = 0;
        Arrays.fill(window.weightSums, 0);
        window.latencies.clear();
        return copy;
    }

    /** A snapshot of phase {@code i} (0: before corruption, 1: after). */
    synchronized Phase phase(int i) {
        return phases[i].copy();
    }

    synchronized long deadLetters() {
        return deadLetters;
    }

    synchronized long dropped() {
        return dropped;
    }

    /** Input events accounted for so far: fusion sources (or triggers), dead letters, drops. */
    synchronized long accounted() {
        return phases[0].accountedInputs + phases[1].accountedInputs + deadLetters + dropped;
    }

    static int argmax(List<Float> scores) {
        int best = 0;
        for (int i = 1; i < scores.size(); i++) {
            if (scores.get(i) > scores.get(best)) {
                best = i;
            }
        }
        return best;
    }

    /** The q-quantile (0..1) of {@code values}, or -1 if empty. */
    static long quantile(List<Long> values, double q) {
        if (values.isEmpty()) {
            return -1;
        }
        long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
        int i = (int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)));
        return sorted[i];
    }
}
