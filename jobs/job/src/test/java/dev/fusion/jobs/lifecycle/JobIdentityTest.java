package dev.fusion.jobs.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The job id that names a job's retained state. */
class JobIdentityTest {

    @Test
    void theSameNameGivesTheSameIdAndAnotherNameAnotherOne() {
        assertThat(JobIdentity.of("multimodal-fusion")).isEqualTo(JobIdentity.of("multimodal-fusion"))
                .isEqualTo(JobIdentity.of(" multimodal-fusion "))
                .isNotEqualTo(JobIdentity.of("multimodal-fusion-2"));
    }

    @Test
    void theIdIsStableAcrossVersions() {
        // Retained state is found by this id: changing the derivation strands every user's state.
        // The first 16 bytes of SHA-256("dev.fusion.job/multimodal-fusion"), as sha256sum gives them.
        assertThat(JobIdentity.of("multimodal-fusion").toHexString())
                .isEqualTo("bd697b5eec1f7f23dcd04152b3fccba9");
    }

    @Test
    void anEmptyNameIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> JobIdentity.of(" ")).hasMessageContaining("job.name");
    }
}
