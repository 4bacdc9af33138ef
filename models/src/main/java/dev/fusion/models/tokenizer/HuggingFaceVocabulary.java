package dev.fusion.models.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fusion.models.manifest.ModelValidationException;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What a HuggingFace {@code tokenizer.json} says about its ids, read with Jackson: the model type,
 * one more than the largest id (the vocabulary size; DJL does not expose it) and the token of id 0.
 */
record HuggingFaceVocabulary(String modelType, int size, String idZeroToken, String padToken) {

    /** The model types the contract supports; others (Unigram, WordLevel) fail at load. */
    static final List<String> MODEL_TYPES = List.of("WordPiece", "BPE");
    /** The pad tokens of BERT and of RoBERTa/GPT-style vocabularies. */
    static final List<String> PAD_TOKENS = List.of("[PAD]", "<pad>");

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param where how messages name the file, e.g. {@code model 'x': tokenizer.json}
     * @throws ModelValidationException if the file is not a tokenizer.json of a supported model
     */
    static HuggingFaceVocabulary read(byte[] json, String where) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new ModelValidationException(where + " is not valid JSON: " + e.getMessage(), e);
        }
        JsonNode model = root == null ? null : root.get("model");
        if (model == null || !model.isObject()) {
            throw new ModelValidationException(where + " has no 'model' object; is it a"
                    + " HuggingFace tokenizer.json?");
        }
        String type = model.path("type").asText("");
        if (!MODEL_TYPES.contains(type)) {
            throw new ModelValidationException(where + ": model type '" + type
                    + "' is not supported; valid values: " + String.join(", ", MODEL_TYPES));
        }
        JsonNode vocab = model.get("vocab");
        if (vocab == null || !vocab.isObject() || vocab.isEmpty()) {
            throw new ModelValidationException(where + ": model.vocab must be a non-empty object"
                    + " of token to id");
        }
        int largest = -1;
        String idZero = null;
        Iterator<Map.Entry<String, JsonNode>> entries = vocab.fields();
        while (entries.hasNext()) {
            Map.Entry<String, JsonNode> entry = entries.next();
            int id = id(entry.getValue(), where, "model.vocab['" + entry.getKey() + "']");
            largest = Math.max(largest, id);
            if (id == 0) {
                idZero = entry.getKey();
            }
        }
        for (JsonNode token : root.path("added_tokens")) {
            int id = id(token.get("id"), where, "added_tokens id");
            largest = Math.max(largest, id);
            if (id == 0) {
                idZero = token.path("content").asText();
            }
        }
        JsonNode padding = root.get("padding");
        String padToken = null;
        if (padding != null && padding.isObject()) {
            padToken = padding.path("pad_token").asText(null);
            int padId = padding.path("pad_id").asInt(0);
            if (padId != 0) {
                throw new ModelValidationException(where + ": padding.pad_id is " + padId
                        + " but the contract pads with id 0");
            }
        }
        return new HuggingFaceVocabulary(type, largest + 1, idZero, padToken);
    }

    /**
     * The text layer averages the embeddings of the non-zero ids, so id 0 must be a pad token:
     * otherwise a real token (e.g. {@code <unk>} or {@code !}) would silently vanish from every
     * text that has it.
     */
    boolean idZeroIsPadding() {
        return idZeroToken != null
                && (idZeroToken.equals(padToken) || PAD_TOKENS.contains(idZeroToken));
    }

    private static int id(JsonNode value, String where, String what) {
        if (value == null || !value.canConvertToInt() || !value.isIntegralNumber()
                || value.intValue() < 0) {
            throw new ModelValidationException(where + ": " + what + " must be a non-negative"
                    + " integer but is " + value);
        }
        return value.intValue();
    }
}
