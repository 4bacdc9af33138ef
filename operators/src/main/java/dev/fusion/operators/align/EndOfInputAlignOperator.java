package dev.fusion.operators.align;

import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;

/**
 * Runs an alignment function and, when its input ends (bounded input, or stop-with-savepoint
 * {@code --drain}), advances its own event time to the end so that every pending window and
 * trigger fires before the job finishes.
 *
 * <p>Normally the final watermark does that. But Flink 2.2 drops the final watermark of a drain
 * while the sources are idle (FLINK-40499), so a drain after a quiet period would leave the last
 * windows unfused: records neither fused, dead-lettered nor dropped. A stop without drain does
 * not end the input, so its state stays in the savepoint, as it should.
 *
 * @param <OUT> output type of the alignment function
 */
public class EndOfInputAlignOperator<K, IN, OUT> extends KeyedProcessOperator<K, IN, OUT>
        implements BoundedOneInput {

    private static final long serialVersionUID = 1L;

    private transient long watermark;

    public EndOfInputAlignOperator(KeyedProcessFunction<K, IN, OUT> function) {
        super(function);
    }

    @Override
    public void open() throws Exception {
        super.open();
        watermark = Long.MIN_VALUE;
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        watermark = Math.max(watermark, mark.getTimestamp());
        super.processWatermark(mark);
    }

    @Override
    public void endInput() throws Exception {
        if (watermark < Long.MAX_VALUE) {
            processWatermark(Watermark.MAX_WATERMARK);
        }
    }
}
