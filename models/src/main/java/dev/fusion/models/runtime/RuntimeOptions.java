package dev.fusion.models.runtime;

import java.io.Serializable;
import java.util.Objects;

/**
 * How model sessions are run: the device and ONNX Runtime's thread pools. The job's client reads
 * and checks them once, from the {@code inference.*} keys, and ships this value to the operators.
 *
 * <p>Thread counts default to 1: many Flink subtasks call into one shared session concurrently,
 * so parallelism comes from the callers, and per-call pools would only oversubscribe the cores.
 *
 * @param device {@value #DEVICE}
 * @param intraOpThreads {@value #INTRA_OP_THREADS}: threads inside one operator of one call
 * @param interOpThreads {@value #INTER_OP_THREADS}: threads across independent operators
 */
public record RuntimeOptions(Device device, int intraOpThreads, int interOpThreads)
        implements Serializable {

    public static final String DEVICE = "inference.device";
    public static final String INTRA_OP_THREADS = "inference.intra-op-threads";
    public static final String INTER_OP_THREADS = "inference.inter-op-threads";

    public static final int DEFAULT_THREADS = 1;
    /** Upper bound on either pool, to catch typos such as 1000 instead of 10. */
    public static final int MAX_THREADS = 256;

    public RuntimeOptions {
        Objects.requireNonNull(device, DEVICE);
        checkThreads(INTRA_OP_THREADS, intraOpThreads);
        checkThreads(INTER_OP_THREADS, interOpThreads);
    }

    /** {@code auto}, one intra-op and one inter-op thread. */
    public static RuntimeOptions defaults() {
        return new RuntimeOptions(Device.AUTO, DEFAULT_THREADS, DEFAULT_THREADS);
    }

    public RuntimeOptions withDevice(Device newDevice) {
        return new RuntimeOptions(newDevice, intraOpThreads, interOpThreads);
    }

    public RuntimeOptions withThreads(int intraOp, int interOp) {
        return new RuntimeOptions(device, intraOp, interOp);
    }

    private static void checkThreads(String key, int threads) {
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException(
                    key + ": " + threads + " is out of range; valid values: 1 to " + MAX_THREADS);
        }
    }
}
