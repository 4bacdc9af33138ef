package dev.fusion.it;

import dev.fusion.operators.records.RawRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;

/**
 * Passes raw records through unchanged and, once per test and only after the test armed its
 * {@link InjectionProbe}, fails its task at a chosen moment: on the n-th record after a
 * checkpoint-complete notification, or from the synchronous snapshot of a checkpoint, that is
 * while that checkpoint is in progress. Until the failure happened it may slow its input down, so
 * that a bounded source cannot run out before the moment comes.
 */
final class FailureInjectorFunction extends RichMapFunction<RawRecord, RawRecord>
        implements CheckpointListener, CheckpointedFunction {

    private static final long serialVersionUID = 1L;

    /** When the injector fails its task. */
    enum Mode {
        /** Never: only observe (attempts, checkpoints, records) and throttle. */
        OBSERVE,
        /** On the n-th record after a checkpoint-complete notification. */
        AFTER_CHECKPOINT,
        /** From {@code snapshotState} of a checkpoint. */
        DURING_CHECKPOINT
    }

    /** The failure this function throws; nothing else in a test run throws it. */
    static final class InjectedFailureException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InjectedFailureException(String message) {
            super(message);
        }
    }

    private final String probeKey;
    private final String name;
    private final Mode mode;
    private final int recordsAfterCheckpoint;

    private transient InjectionProbe probe;
    private transient boolean restored;
    private transient int subtask;
    private transient int countdown;
    private transient long countdownCheckpoint;

    private FailureInjectorFunction(String probeKey, String name, Mode mode,
            int recordsAfterCheckpoint) {
        this.probeKey = probeKey;
        this.name = name;
        this.mode = mode;
        this.recordsAfterCheckpoint = recordsAfterCheckpoint;
    }

    /** Never fails; only records what it sees, and throttles as the probe says. */
    static FailureInjectorFunction observe(String probeKey, String name) {
        return new FailureInjectorFunction(probeKey, name, Mode.OBSERVE, 0);
    }

    /** Once armed, fails on the {@code n}-th record after the next checkpoint completed. */
    static FailureInjectorFunction afterCheckpoint(String probeKey, String name, int n) {
        return new FailureInjectorFunction(probeKey, name, Mode.AFTER_CHECKPOINT, n);
    }

    /** Once armed, fails in the snapshot of the next checkpoint. */
    static FailureInjectorFunction duringCheckpoint(String probeKey, String name) {
        return new FailureInjectorFunction(probeKey, name, Mode.DURING_CHECKPOINT, 0);
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {
        // Runs before open(): whether this attempt restored a checkpoint.
        restored = context.isRestored();
    }

    @Override
    public void open(OpenContext openContext) {
        probe = InjectionProbe.get(probeKey);
        subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        int attempt = getRuntimeContext().getTaskInfo().getAttemptNumber();
        probe.starts.add(name + "/" + subtask + "#" + attempt + (restored ? " (restored)" : ""));
        countdown = -1;
    }

    @Override
    public RawRecord map(RawRecord record) throws Exception {
        probe.processed.incrementAndGet();
        if (countdown > 0 && --countdown == 0
                && probe.fail(name + "/" + subtask + ": record " + recordsAfterCheckpoint
                        + " after the completion of checkpoint " + countdownCheckpoint,
                        countdownCheckpoint)) {
            throw new InjectedFailureException("injected failure at " + probe.failurePoint);
        }
        long throttle = probe.throttleMillis;
        if (throttle > 0 && probe.failures.get() == 0) {
            Thread.sleep(throttle);
        }
        return record;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        probe.completedCheckpoints.add(checkpointId);
        if (mode == Mode.AFTER_CHECKPOINT && probe.armed.get() && countdown < 0
                && probe.failures.get() == 0) {
            countdown = recordsAfterCheckpoint;
            countdownCheckpoint = checkpointId;
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        long id = context.getCheckpointId();
        probe.snapshots.add(id);
        if (mode == Mode.DURING_CHECKPOINT && probe.armed.get()
                && probe.fail(name + "/" + subtask + ": snapshot of checkpoint " + id, id)) {
            throw new InjectedFailureException("injected failure at " + probe.failurePoint);
        }
    }
}
