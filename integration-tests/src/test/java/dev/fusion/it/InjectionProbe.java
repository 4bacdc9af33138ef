package dev.fusion.it;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the {@link FailureInjectorFunction}s of one test did and saw, and the switch that arms
 * them. The MiniCluster runs in the test's JVM, so a static registry keyed by test survives task
 * restarts: a restarted injector knows the failure already happened and does not fail again.
 */
final class InjectionProbe {

    private static final Map<String, InjectionProbe> PROBES = new ConcurrentHashMap<>();

    /** Set by the test when the job may fail (e.g. once it committed some output). */
    final AtomicBoolean armed = new AtomicBoolean();
    /** Sleep per record in every injector until the failure happened; the test may change it. */
    volatile long throttleMillis;
    /** Injected failures so far; at most one per test by construction. */
    final AtomicInteger failures = new AtomicInteger();
    /** Records that went through any injector of the test, over all attempts. */
    final AtomicLong processed = new AtomicLong();
    /** Every task start: "name/subtask#attempt", with " (restored)" when it restored state. */
    final Set<String> starts = ConcurrentHashMap.newKeySet();
    /** Checkpoint ids whose completion an injector was notified of. */
    final Set<Long> completedCheckpoints = ConcurrentHashMap.newKeySet();
    /** Checkpoint ids an injector took a snapshot for (its synchronous part ran). */
    final Set<Long> snapshots = ConcurrentHashMap.newKeySet();
    /**
     * The checkpoint the failure is tied to: the one being snapshotted when it was thrown, or the
     * completed one whose notification started the countdown to it; -1 before the failure.
     */
    final AtomicLong failureCheckpoint = new AtomicLong(-1);
    /** Where the failure was thrown from. */
    volatile String failurePoint;
    /** Wall-clock time of the failure (ms), 0 before it. */
    volatile long failedAtMillis;
    /** Records through the injectors when the failure was thrown. */
    volatile long processedAtFailure;

    private InjectionProbe() {
    }

    /** A fresh probe under {@code key} (replacing any earlier one). */
    static InjectionProbe create(String key) {
        InjectionProbe probe = new InjectionProbe();
        PROBES.put(key, probe);
        return probe;
    }

    static InjectionProbe get(String key) {
        InjectionProbe probe = PROBES.get(key);
        if (probe == null) {
            throw new IllegalStateException("no injection probe for " + key);
        }
        return probe;
    }

    static void remove(String key) {
        if (key != null) {
            PROBES.remove(key);
        }
    }

    /** Records the failure about to be thrown; false if the test's one failure already happened. */
    boolean fail(String point, long checkpointId) {
        if (!failures.compareAndSet(0, 1)) {
            return false;
        }
        failureCheckpoint.set(checkpointId);
        failurePoint = point;
        failedAtMillis = System.currentTimeMillis();
        processedAtFailure = processed.get();
        return true;
    }

    /** The attempt numbers seen per "name/subtask". */
    Map<String, Set<Integer>> attemptsBySubtask() {
        Map<String, Set<Integer>> out = new TreeMap<>();
        for (String start : starts) {
            int hash = start.indexOf('#');
            int attempt = Integer.parseInt(start.substring(hash + 1).split(" ")[0]);
            out.computeIfAbsent(start.substring(0, hash), k -> new TreeSet<>()).add(attempt);
        }
        return out;
    }

    @Override
    public String toString() {
        return "failures=" + failures + " at [" + failurePoint + "] after " + processedAtFailure
                + " records, completed checkpoints "
                + new TreeSet<>(completedCheckpoints) + ", snapshots " + new TreeSet<>(snapshots)
                + ", task starts " + new TreeSet<>(starts) + ", records through injectors "
                + processed;
    }
}
