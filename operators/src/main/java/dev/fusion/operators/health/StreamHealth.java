package dev.fusion.operators.health;

/**
 * The health state machine of one stream, driven by the caller's clock: a stream becomes
 * degraded when every mean gate it was given during {@code degradedAfter} was below the level,
 * and healthy again when every one during {@code degradedAfter} was at or above it.
 *
 * <p>Hysteresis is in time, not in level: one threshold, and a state changes only after the
 * mean has stayed on the other side of it for the whole delay. A mean that wavers around the
 * level therefore changes state at most once per {@code degradedAfter}, and one dip or spike
 * shorter than the delay changes nothing. A NaN mean (no values in the window) is no evidence
 * either way: it leaves the state and the running delay alone.
 */
public final class StreamHealth {

    /** What an update did to the state. */
    public enum Transition {
        NONE, DEGRADED, RECOVERED
    }

    private final double minMeanGate;
    private final long delayMillis;
    private boolean degraded;
    /** Since when the means were on the other side of the level than the state, or -1. */
    private long otherSideSince = -1;
    /** How long the means had been on the new side when the state last changed. */
    private long lastChangeAfter;

    public StreamHealth(HealthOptions options) {
        this.minMeanGate = options.minMeanGate();
        this.delayMillis = options.degradedAfter().toMillis();
    }

    /** Takes the stream's mean gate at {@code now} (milliseconds) and says what changed. */
    public Transition update(double meanGate, long now) {
        if (minMeanGate <= 0 || Double.isNaN(meanGate)) {
            return Transition.NONE;
        }
        boolean below = meanGate < minMeanGate;
        if (below != degraded) {
            if (otherSideSince < 0) {
                otherSideSince = now;
            }
            if (now - otherSideSince >= delayMillis) {
                degraded = below;
                lastChangeAfter = now - otherSideSince;
                otherSideSince = -1;
                return below ? Transition.DEGRADED : Transition.RECOVERED;
            }
        } else {
            otherSideSince = -1;
        }
        return Transition.NONE;
    }

    /** Whether the stream is degraded now. */
    public boolean degraded() {
        return degraded;
    }

    /** How long (ms) the means had been on the new side of the level at the last change. */
    public long lastChangeAfterMillis() {
        return lastChangeAfter;
    }
}
