package dev.fusion.models.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

/** Typed reads of manifest fields whose errors name the model (or manifest) and the field. */
final class JsonFields {

    private final JsonNode node;
    private final String owner;

    /**
     * @param node the JSON object to read
     * @param owner how messages name it, e.g. {@code manifest.json} or {@code model 'x'}
     */
    JsonFields(JsonNode node, String owner) {
        this.node = node;
        this.owner = owner;
    }

    String owner() {
        return owner;
    }

    boolean has(String field) {
        JsonNode value = node.get(field);
        return value != null && !value.isNull();
    }

    JsonNode required(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw error("field '" + field + "' is missing");
        }
        return value;
    }

    String text(String field) {
        JsonNode value = required(field);
        if (!value.isTextual() || value.asText().isBlank()) {
            throw error("field '" + field + "' must be a non-empty string but is " + value);
        }
        return value.asText();
    }

    String optionalText(String field) {
        return has(field) ? text(field) : null;
    }

    int integer(String field) {
        JsonNode value = required(field);
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw error("field '" + field + "' must be an integer but is " + value);
        }
        return value.intValue();
    }

    Integer optionalInteger(String field) {
        return has(field) ? integer(field) : null;
    }

    boolean bool(String field) {
        JsonNode value = required(field);
        if (!value.isBoolean()) {
            throw error("field '" + field + "' must be true or false but is " + value);
        }
        return value.booleanValue();
    }

    JsonNode array(String field) {
        JsonNode value = required(field);
        if (!value.isArray()) {
            throw error("field '" + field + "' must be an array but is " + value);
        }
        return value;
    }

    JsonNode object(String field) {
        JsonNode value = required(field);
        if (!value.isObject()) {
            throw error("field '" + field + "' must be an object but is " + value);
        }
        return value;
    }

    /** Fails naming the first field of the object that is not in {@code known}. */
    void rejectUnknown(Set<String> known) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!known.contains(name)) {
                throw error("unknown field '" + name + "'; the fields are " + new TreeSet<>(known));
            }
        }
    }

    ModelValidationException error(String problem) {
        return new ModelValidationException(owner + ": " + problem);
    }
}
