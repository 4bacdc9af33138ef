package dev.fusion.it;

import dev.fusion.jobs.kafka.CheckedProducer;
import dev.fusion.jobs.synthetic.SyntheticDistribution;
import dev.fusion.jobs.synthetic.SyntheticSample;
import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.schemas.Modality;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Valid multimodal records produced at a steady rate with the wall clock as event time, as live
 * producers do, until stopped; remembers every event id it sent (each send is checked).
 */
final class LiveTraffic implements Runnable {

    private final String bootstrapServers;
    private final Topics topics;
    private final int samplesPerSecond;
    private final int entities;
    private final String idPrefix;
    private final List<String> sent = new ArrayList<>();
    private volatile boolean stopped;
    private volatile Throwable failure;
    private Thread thread;

    LiveTraffic(String bootstrapServers, Topics topics, int samplesPerSecond, int entities,
            String idPrefix) {
        this.bootstrapServers = bootstrapServers;
        this.topics = topics;
        this.samplesPerSecond = samplesPerSecond;
        this.entities = entities;
        this.idPrefix = idPrefix;
    }

    void start() {
        thread = new Thread(this, "live-traffic");
        // A failed test must not leave a producer running in the test JVM.
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops, waits for every send to be acknowledged, and returns the ids sent. */
    List<String> stop() throws InterruptedException {
        stopped = true;
        thread.join(60_000);
        if (failure != null) {
            throw new AssertionError("producing failed", failure);
        }
        synchronized (sent) {
            return List.copyOf(sent);
        }
    }

    int sentSoFar() {
        synchronized (sent) {
            return sent.size();
        }
    }

    /** The ids sent so far (acknowledged or not yet). */
    Set<String> sentIds() {
        synchronized (sent) {
            return Set.copyOf(sent);
        }
    }

    @Override
    public void run() {
        SyntheticDistribution distribution = SyntheticDistribution.bundled();
        Random random = new Random(11);
        int[] classes = new int[entities];
        for (int e = 0; e < entities; e++) {
            classes[e] = distribution.sampleClass(random);
        }
        long started = System.nanoTime();
        long n = 0;
        try (CheckedProducer producer = new CheckedProducer(bootstrapServers)) {
            while (!stopped) {
                int e = random.nextInt(entities);
                SyntheticSample sample = distribution.sample(classes[e], random);
                long t = System.currentTimeMillis();
                String entity = "entity-" + e;
                if (sample.text() != null) {
                    send(producer, ModalityRecord.text(0, idPrefix + n + "-t", entity, t, sample.text(),
                            null, 0, 0));
                }
                if (sample.audio() != null) {
                    send(producer, ModalityRecord.features(Streams.slot(Modality.AUDIO), idPrefix + n + "-a", entity, t,
                            sample.audio(), null, 0, 0));
                }
                if (sample.image() != null) {
                    send(producer, ModalityRecord.features(Streams.slot(Modality.IMAGE), idPrefix + n + "-i", entity, t,
                            sample.image(), null, 0, 0));
                }
                n++;
                long due = started + n * 1_000_000_000L / samplesPerSecond;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                if (n % 100 == 0) {
                    producer.flush();
                }
            }
            producer.flush();
        } catch (Throwable t) {
            failure = t;
        }
    }

    private void send(CheckedProducer producer, ModalityRecord r) {
        producer.send(Scenario.topic(topics, Streams.of(r)), r.entityId.getBytes(StandardCharsets.UTF_8),
                Scenario.encode(r));
        synchronized (sent) {
            sent.add(r.eventId);
        }
    }
}
