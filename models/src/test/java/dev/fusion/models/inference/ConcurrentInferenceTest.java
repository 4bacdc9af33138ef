package dev.fusion.models.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.models.TestArtifacts;
import dev.fusion.models.manifest.FusionMode;
import dev.fusion.models.manifest.Modality;
import dev.fusion.models.runtime.SharedSessions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Eight threads calling one shared session (half through one shared model instance, half through
 * instances of their own) get bit-identical results to one thread running the same batches.
 */
class ConcurrentInferenceTest {

    private static final int THREADS = 8;
    private static final int ROUNDS = 15;
    private static final int[] BATCH_SIZES = {1, 3, 16, 64};

    private ExecutorService pool;

    @BeforeEach
    void startPool() {
        pool = Executors.newFixedThreadPool(THREADS);
    }

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void audioRouting() throws Exception {
        var manifest = TestArtifacts.manifest();
        try (RoutingModel shared = RoutingModel.open(manifest, Modality.AUDIO, TestArtifacts.CPU)) {
            List<float[][]> batches = new ArrayList<>();
            for (int i = 0; i < BATCH_SIZES.length; i++) {
                batches.add(RandomInputs.features(BATCH_SIZES[i], shared.inputDim(), 100 + i));
            }
            runConcurrently(batches,
                    () -> RoutingModel.open(manifest, Modality.AUDIO, TestArtifacts.CPU), shared,
                    (model, batch) -> model.route(batch), ConcurrentInferenceTest::routingBits);
            assertThat(SharedSessions.referenceCount(shared.spec(), TestArtifacts.CPU)).isOne();
        }
    }

    @Test
    void textRouting() throws Exception {
        var manifest = TestArtifacts.manifest();
        try (TextRoutingModel shared = TextRoutingModel.open(manifest, TestArtifacts.CPU)) {
            List<List<String>> batches = new ArrayList<>();
            for (int i = 0; i < BATCH_SIZES.length; i++) {
                batches.add(RandomInputs.texts(BATCH_SIZES[i], 200 + i));
            }
            runConcurrently(batches, () -> TextRoutingModel.open(manifest, TestArtifacts.CPU),
                    shared, (model, batch) -> model.routeTexts(batch),
                    ConcurrentInferenceTest::routingBits);
        }
    }

    @Test
    void integration() throws Exception {
        var manifest = TestArtifacts.manifest();
        try (IntegrationModel shared = IntegrationModel.open(
                manifest, FusionMode.WEIGHTED, TestArtifacts.CPU)) {
            List<IntegrationBatch> batches = new ArrayList<>();
            for (int i = 0; i < BATCH_SIZES.length; i++) {
                batches.add(RandomInputs.integration(BATCH_SIZES[i], shared.embeddingDim(),
                        300 + i));
            }
            runConcurrently(batches,
                    () -> IntegrationModel.open(manifest, FusionMode.WEIGHTED, TestArtifacts.CPU),
                    shared, (model, batch) -> model.fuse(batch),
                    ConcurrentInferenceTest::integrationBits);
        }
    }

    private interface Call<M, B, R> {
        R apply(M model, B batch);
    }

    private <M extends AutoCloseable, B, R> void runConcurrently(
            List<B> batches, Callable<M> ownModel, M shared, Call<M, B, R> call,
            Function<R, List<Integer>> bits) throws Exception {
        List<List<Integer>> expected = new ArrayList<>();
        for (B batch : batches) {
            expected.add(bits.apply(call.apply(shared, batch)));
        }
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                M own = thread % 2 == 0 ? null : ownModel.call();
                try {
                    M model = own == null ? shared : own;
                    start.await();
                    int compared = 0;
                    for (int round = 0; round < ROUNDS; round++) {
                        // Each thread walks the batches in its own order, so sizes interleave.
                        int index = (round + thread) % batches.size();
                        List<Integer> actual = bits.apply(call.apply(model, batches.get(index)));
                        assertThat(actual).as("thread %d round %d batch %d", thread, round, index)
                                .isEqualTo(expected.get(index));
                        compared++;
                    }
                    return compared;
                } finally {
                    if (own != null) {
                        own.close();
                    }
                }
            }));
        }
        start.countDown();
        for (Future<Integer> future : futures) {
            assertThat(future.get(120, TimeUnit.SECONDS)).isEqualTo(ROUNDS);
        }
    }

    /** Every output float as its bit pattern: equality means bit-identical. */
    private static List<Integer> routingBits(RoutingResult result) {
        List<Integer> bits = new ArrayList<>();
        for (int row = 0; row < result.size(); row++) {
            addBits(bits, result.embedding(row));
            bits.add(Float.floatToRawIntBits(result.gateLogit(row)));
        }
        return bits;
    }

    private static List<Integer> integrationBits(IntegrationResult result) {
        List<Integer> bits = new ArrayList<>();
        for (int row = 0; row < result.size(); row++) {
            addBits(bits, result.fused(row));
            addBits(bits, result.weights(row));
            addBits(bits, result.scores(row));
        }
        return bits;
    }

    private static void addBits(List<Integer> bits, float[] values) {
        for (float v : values) {
            bits.add(Float.floatToRawIntBits(v));
        }
    }
}
