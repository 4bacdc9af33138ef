package dev.fusion.models.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fusion.models.TestArtifacts;
import dev.fusion.models.manifest.Modality;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Java and Python tokenizers agree token for token on every case of goldens/tokenizer.json. */
class HashingTokenizerGoldenTest {

    private static final JsonNode GOLDEN = TestArtifacts.golden("tokenizer");

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (JsonNode c : GOLDEN.get("cases")) {
            cases.add(Arguments.of(c.get("name").asText(), c.get("text").asText(),
                    TestArtifacts.longs(c.get("ids"))));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reproducesGoldenIds(String name, String text, long[] expected) {
        HashingTokenizer tokenizer = new HashingTokenizer(
                GOLDEN.get("vocab_size").asInt(), GOLDEN.get("max_tokens").asInt());
        assertThat(tokenizer.encode(text)).as(name).containsExactly(expected);
    }

    @Test
    void goldenUsesTheManifestTokenizer() {
        HashingTokenizer fromManifest = HashingTokenizer.of(
                TestArtifacts.manifest().routing(Modality.TEXT).tokenizer());
        assertThat(fromManifest.vocabSize()).isEqualTo(GOLDEN.get("vocab_size").asInt());
        assertThat(fromManifest.maxTokens()).isEqualTo(GOLDEN.get("max_tokens").asInt());
    }

    @Test
    void coversTheCasesTheContractAsksFor() {
        List<String> names = new ArrayList<>();
        GOLDEN.get("cases").forEach(c -> names.add(c.get("name").asText()));
        assertThat(names).hasSizeGreaterThanOrEqualTo(13);
        assertThat(GOLDEN.get("cases")).anySatisfy(c ->
                assertThat(c.get("text").asText()).isEmpty());
        assertThat(GOLDEN.get("cases")).anySatisfy(c -> assertThat(c.get("ids").size())
                .isEqualTo(GOLDEN.get("max_tokens").asInt()));
    }
}
