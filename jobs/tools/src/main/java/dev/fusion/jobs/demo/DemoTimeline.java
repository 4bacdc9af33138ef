package dev.fusion.jobs.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The demo's recent seconds and its settings, as the live page reads them ({@code status.json}):
 * each wall-clock second as the status line printed it, and the outputs by event-time second.
 * Keeps the last {@link #CAPACITY} seconds, so a long demo does not grow without bound.
 */
final class DemoTimeline {

    static final int CAPACITY = 3_600;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DemoSettings settings;
    private final List<String> streams;
    private final Supplier<List<EventSecond>> byEventSecond;
    private final Deque<DemoSecond> seconds = new ArrayDeque<>();
    private String summary;
    private boolean everRead;
    private boolean readAfterFinish;

    DemoTimeline(DemoSettings settings, List<String> streams,
            Supplier<List<EventSecond>> byEventSecond) {
        this.settings = settings;
        this.streams = List.copyOf(streams);
        this.byEventSecond = byEventSecond;
    }

    synchronized void add(DemoSecond second) {
        if (seconds.size() == CAPACITY) {
            seconds.removeFirst();
        }
        seconds.addLast(second);
    }

    /** The end-of-demo summary, shown by the page once the demo has finished. */
    synchronized void finish(String summaryText) {
        summary = summaryText;
    }

    /**
     * Waits up to {@code timeout} until a page that has been reading the timeline has read it
     * once more after {@link #finish}; returns at once if no page ever read it.
     */
    synchronized void awaitReadAfterFinish(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (everRead && !readAfterFinish) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** The page's view: settings, one entry per second, and the summary once finished. */
    synchronized String toJson() {
        everRead = true;
        if (summary != null) {
            readAfterFinish = true;
            notifyAll();
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("rate", settings.rate);
        root.put("entities", settings.entities);
        root.put("durationSeconds", settings.duration.toSeconds());
        root.put("alignment", settings.policy);
        root.put("fusion", settings.mode);
        if (settings.corrupting()) {
            root.put("corrupted", settings.corruptName);
            root.put("corruptAtSeconds", settings.corruptAt.toSeconds());
        } else {
            root.putNull("corrupted");
        }
        ArrayNode names = root.putArray("streams");
        streams.forEach(names::add);
        ArrayNode list = root.putArray("seconds");
        for (DemoSecond s : seconds) {
            ObjectNode o = list.addObject();
            o.put("t", s.elapsedSeconds());
            o.put("in", Math.round(s.inPerSecond()));
            o.put("fused", Math.round(s.fusedPerSecond()));
            o.put("deadLetters", s.deadLetters());
            o.put("dropped", s.dropped());
            number(o, "p50", s.p50Millis());
            number(o, "p99", s.p99Millis());
            number(o, "accuracy", s.accuracy());
            ArrayNode weights = o.putArray("weights");
            for (double w : s.weights()) {
                if (Double.isNaN(w)) {
                    weights.addNull();
                } else {
                    weights.add(w);
                }
            }
            o.put("corrupting", s.corrupting());
        }
        ArrayNode events = root.putArray("byEventTime");
        for (EventSecond e : byEventSecond.get()) {
            ObjectNode o = events.addObject();
            o.put("t", e.second());
            o.put("fused", e.fused());
            number(o, "accuracy", e.accuracy());
            ArrayNode weights = o.putArray("weights");
            for (int m = 0; m < streams.size(); m++) {
                weights.add(e.meanWeight(m));
            }
        }
        if (summary == null) {
            root.putNull("summary");
        } else {
            root.put("summary", summary);
        }
        return root.toString();
    }

    private static void number(ObjectNode o, String field, long value) {
        if (value < 0) {
            o.putNull(field);
        } else {
            o.put(field, value);
        }
    }

    private static void number(ObjectNode o, String field, double value) {
        if (Double.isNaN(value)) {
            o.putNull(field);
        } else {
            o.put(field, value);
        }
    }
}
