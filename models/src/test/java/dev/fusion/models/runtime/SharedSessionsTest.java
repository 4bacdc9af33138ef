package dev.fusion.models.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtSession;
import dev.fusion.models.TestArtifacts;
import dev.fusion.models.manifest.Modality;
import dev.fusion.models.manifest.ModelSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One session per model and options, counted by leases, closed with the last one. */
class SharedSessionsTest {

    private final ModelSpec audio = TestArtifacts.manifest().routing(Modality.AUDIO);
    private final ModelSpec image = TestArtifacts.manifest().routing(Modality.IMAGE);
    private final RuntimeOptions options = TestArtifacts.CPU;

    @AfterEach
    void nothingLeftOpen() {
        assertThat(SharedSessions.referenceCount(audio, options)).isZero();
        assertThat(SharedSessions.referenceCount(image, options)).isZero();
    }

    @Test
    void sameModelAndOptionsShareOneSession() {
        try (SessionLease first = SharedSessions.acquire(audio, options);
                SessionLease second = SharedSessions.acquire(audio, options)) {
            assertThat(second.session()).isSameAs(first.session());
            assertThat(SharedSessions.referenceCount(audio, options)).isEqualTo(2);
            assertThat(first.device()).isEqualTo(Device.CPU);
        }
    }

    @Test
    void otherModelsAndOtherOptionsGetTheirOwnSession() {
        RuntimeOptions twoThreads = options.withThreads(2, 1);
        try (SessionLease audioLease = SharedSessions.acquire(audio, options);
                SessionLease imageLease = SharedSessions.acquire(image, options);
                SessionLease audioTwoThreads = SharedSessions.acquire(audio, twoThreads)) {
            assertThat(imageLease.session()).isNotSameAs(audioLease.session());
            assertThat(audioTwoThreads.session()).isNotSameAs(audioLease.session());
            assertThat(SharedSessions.referenceCount(audio, options)).isOne();
            assertThat(SharedSessions.referenceCount(audio, twoThreads)).isOne();
        }
        assertThat(SharedSessions.referenceCount(audio, twoThreads)).isZero();
    }

    @Test
    void sessionClosesWithTheLastLeaseAndReopensOnTheNextAcquire() throws Exception {
        int before = SharedSessions.openSessions();
        SessionLease first = SharedSessions.acquire(audio, options);
        SessionLease second = SharedSessions.acquire(audio, options);
        OrtSession session = first.session();
        assertThat(SharedSessions.openSessions()).isEqualTo(before + 1);

        first.close();
        assertThat(SharedSessions.referenceCount(audio, options)).isOne();
        assertThat(second.session().getInputNames()).containsExactly("features");

        second.close();
        assertThat(SharedSessions.referenceCount(audio, options)).isZero();
        assertThat(SharedSessions.openSessions()).isEqualTo(before);
        // A closed OrtSession refuses every call: proof that the native session was released.
        assertThatThrownBy(session::getInputInfo).isInstanceOf(IllegalStateException.class);

        try (SessionLease third = SharedSessions.acquire(audio, options)) {
            assertThat(third.session()).isNotSameAs(session);
            assertThat(third.session().getInputNames()).containsExactly("features");
        }
    }

    @Test
    void closingALeaseTwiceReleasesItOnce() {
        try (SessionLease keeper = SharedSessions.acquire(audio, options)) {
            SessionLease lease = SharedSessions.acquire(audio, options);
            lease.close();
            lease.close();
            assertThat(lease.isClosed()).isTrue();
            assertThat(SharedSessions.referenceCount(audio, options)).isOne();
            assertThat(keeper.isClosed()).isFalse();
            assertThatThrownBy(lease::session)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("model 'audio-routing': the session lease is closed");
        }
    }

    @Test
    void concurrentAcquireAndReleaseEndsAtZero() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<OrtSession>>> futures = new ArrayList<>();
            try (SessionLease holder = SharedSessions.acquire(audio, options)) {
                for (int t = 0; t < threads; t++) {
                    futures.add(pool.submit(() -> {
                        start.await();
                        List<OrtSession> seen = new ArrayList<>();
                        for (int i = 0; i < 50; i++) {
                            try (SessionLease lease = SharedSessions.acquire(audio, options)) {
                                seen.add(lease.session());
                            }
                        }
                        return seen;
                    }));
                }
                start.countDown();
                for (Future<List<OrtSession>> future : futures) {
                    assertThat(future.get(60, TimeUnit.SECONDS))
                            .hasSize(50).allMatch(s -> s == holder.session());
                }
                assertThat(SharedSessions.referenceCount(audio, options)).isOne();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
