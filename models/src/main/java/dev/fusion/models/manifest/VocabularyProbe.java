package dev.fusion.models.manifest;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.Arrays;
import java.util.Map;

/**
 * Checks that a text routing model accepts every token id its tokenizer can produce.
 *
 * <p>An ONNX file does not expose its embedding table's size through ONNX Runtime's API, and a
 * tokenizer whose {@code vocab_size} exceeds it passes every signature check, then fails each text
 * batch on the TaskManagers. One call with a row of the largest id, {@code vocab_size - 1}, finds
 * that at start instead; it costs one tiny inference on the validation session. The same holds
 * for a HuggingFace tokenizer, whose {@code vocab_size} load has checked against its file.
 */
final class VocabularyProbe {

    private VocabularyProbe() {
    }

    /** Throws {@link ModelValidationException} naming the model when it refuses the largest id. */
    static void verify(ModelSpec spec, OrtEnvironment env, OrtSession session) {
        TokenizerConfig tokenizer = spec.tokenizer();
        if (tokenizer == null) {
            return;
        }
        long largestId = tokenizer.vocabSize() - 1L;
        long[][] row = new long[1][tokenizer.maxTokens()];
        Arrays.fill(row[0], largestId);
        try (OnnxTensor ids = OnnxTensor.createTensor(env, row);
                OrtSession.Result ignored = session.run(Map.of(TensorNames.INPUT_IDS, ids))) {
            // Accepted: every id of the tokenizer has a row in the model's embedding.
        } catch (OrtException e) {
            String which = tokenizer.file() == null ? "its tokenizer"
                    : "its tokenizer " + tokenizer.file();
            throw new ModelValidationException(spec.label() + ": the model refuses token id "
                    + largestId + ", the largest " + which + " produces (vocab_size "
                    + tokenizer.vocabSize() + "); is vocab_size larger than the model's embedding"
                    + " table? ONNX Runtime: " + e.getMessage(), e);
        }
    }
}
