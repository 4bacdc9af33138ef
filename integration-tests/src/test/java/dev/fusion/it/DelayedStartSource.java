package dev.fusion.it;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.watermark.WatermarkDeclaration;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A source whose reader of one subtask delivers nothing for a while after it starts, as the
 * reader of a replacement TaskManager or of a loaded machine does after a (re)start: it has its
 * splits (their watermark outputs and idleness timers run) but fetches nothing yet. The others
 * read at once. The MiniCluster runs in the test's JVM, so the delayed starts are counted here.
 */
final class DelayedStartSource<T, SplitT extends SourceSplit, EnumChkT>
        implements Source<T, SplitT, EnumChkT>, ResultTypeQueryable<T> {

    private static final long serialVersionUID = 1L;
    private static final Map<String, AtomicInteger> DELAYED_STARTS = new ConcurrentHashMap<>();

    private final Source<T, SplitT, EnumChkT> delegate;
    private final String key;
    private final int subtask;
    private final Duration delay;

    /** Delays the reader of {@code subtask}; its starts are counted under {@code key}. */
    DelayedStartSource(Source<T, SplitT, EnumChkT> delegate, String key, int subtask,
            Duration delay) {
        this.delegate = delegate;
        this.key = key;
        this.subtask = subtask;
        this.delay = delay;
    }

    /** How many readers counted under {@code key} waited out their delay before delivering. */
    static int delayedStarts(String key) {
        return DELAYED_STARTS.computeIfAbsent(key, k -> new AtomicInteger()).get();
    }

    @Override
    public Boundedness getBoundedness() {
        return delegate.getBoundedness();
    }

    @Override
    public SourceReader<T, SplitT> createReader(SourceReaderContext context) throws Exception {
        SourceReader<T, SplitT> reader = delegate.createReader(context);
        return context.getIndexOfSubtask() == subtask ? new Delayed<>(reader, key, delay) : reader;
    }

    @Override
    public SplitEnumerator<SplitT, EnumChkT> createEnumerator(
            SplitEnumeratorContext<SplitT> context) throws Exception {
        return delegate.createEnumerator(context);
    }

    @Override
    public SplitEnumerator<SplitT, EnumChkT> restoreEnumerator(
            SplitEnumeratorContext<SplitT> context, EnumChkT checkpoint) throws Exception {
        return delegate.restoreEnumerator(context, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<SplitT> getSplitSerializer() {
        return delegate.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<EnumChkT> getEnumeratorCheckpointSerializer() {
        return delegate.getEnumeratorCheckpointSerializer();
    }

    @Override
    public Set<? extends WatermarkDeclaration> declareWatermarks() {
        return delegate.declareWatermarks();
    }

    @Override
    @SuppressWarnings("unchecked")
    public TypeInformation<T> getProducedType() {
        return ((ResultTypeQueryable<T>) delegate).getProducedType();
    }

    /** A reader that reports nothing available until its delay after start() has passed. */
    private static final class Delayed<T, SplitT extends SourceSplit>
            implements SourceReader<T, SplitT> {

        private final SourceReader<T, SplitT> reader;
        private final String key;
        private final long delayNanos;
        private long startedAt;
        private boolean waited;

        Delayed(SourceReader<T, SplitT> reader, String key, Duration delay) {
            this.reader = reader;
            this.key = key;
            this.delayNanos = delay.toNanos();
        }

        @Override
        public void start() {
            startedAt = System.nanoTime();
            reader.start();
        }

        @Override
        public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
            if (remainingNanos() > 0) {
                return InputStatus.NOTHING_AVAILABLE;
            }
            if (!waited) {
                waited = true;
                DELAYED_STARTS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            }
            return reader.pollNext(output);
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            long remaining = remainingNanos();
            if (remaining > 0) {
                return CompletableFuture.runAsync(() -> { },
                        CompletableFuture.delayedExecutor(remaining, TimeUnit.NANOSECONDS));
            }
            return reader.isAvailable();
        }

        private long remainingNanos() {
            return startedAt + delayNanos - System.nanoTime();
        }

        @Override
        public List<SplitT> snapshotState(long checkpointId) {
            return reader.snapshotState(checkpointId);
        }

        @Override
        public void addSplits(List<SplitT> splits) {
            reader.addSplits(splits);
        }

        @Override
        public void notifyNoMoreSplits() {
            reader.notifyNoMoreSplits();
        }

        @Override
        public void handleSourceEvents(SourceEvent event) {
            reader.handleSourceEvents(event);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            reader.notifyCheckpointComplete(checkpointId);
        }

        @Override
        public void notifyCheckpointAborted(long checkpointId) throws Exception {
            reader.notifyCheckpointAborted(checkpointId);
        }

        @Override
        public void pauseOrResumeSplits(Collection<String> toPause, Collection<String> toResume) {
            reader.pauseOrResumeSplits(toPause, toResume);
        }

        @Override
        public void close() throws Exception {
            reader.close();
        }
    }
}
