package dev.fusion.models.runtime;

import java.util.Map;
import java.util.Objects;

/**
 * How model sessions are run: the device and ONNX Runtime's thread pools.
 *
 * <p>Thread counts default to 1: many Flink subtasks call into one shared session concurrently,
 * so parallelism comes from the callers, and per-call pools would only oversubscribe the cores.
 *
 * @param device {@value #DEVICE}
 * @param intraOpThreads {@value #INTRA_OP_THREADS}: threads inside one operator of one call
 * @param interOpThreads {@value #INTER_OP_THREADS}: threads across independent operators
 */
public record RuntimeOptions(Device device, int intraOpThreads, int interOpThreads) {

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

    /**
     * Reads the three {@code inference.*} keys from flat configuration; absent keys take defaults
     * and other keys are ignored.
     *
     * @throws IllegalArgumentException naming the key at fault
     */
    public static RuntimeOptions fromMap(Map<String, String> config) {
        String device = config.get(DEVICE);
        return new RuntimeOptions(
                device == null ? Device.AUTO : Device.parse(device),
                parseThreads(INTRA_OP_THREADS, config.get(INTRA_OP_THREADS)),
                parseThreads(INTER_OP_THREADS, config.get(INTER_OP_THREADS)));
    }

    public RuntimeOptions withDevice(Device newDevice) {
        return new RuntimeOptions(newDevice, intraOpThreads, interOpThreads);
    }

    public RuntimeOptions withThreads(int intraOp, int interOp) {
        return new RuntimeOptions(device, intraOp, interOp);
    }

    private static int parseThreads(String key, String value) {
        if (value == null) {
            return DEFAULT_THREADS;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + value
                    + "' is not an integer; valid values: 1 to " + MAX_THREADS, e);
        }
    }

    private static void checkThreads(String key, int threads) {
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException(
                    key + ": " + threads + " is out of range; valid values: 1 to " + MAX_THREADS);
        }
    }
}
