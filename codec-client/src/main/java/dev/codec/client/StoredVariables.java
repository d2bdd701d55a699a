package dev.codec.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The stored shape of an environment revision's variables, as JSON:
 *
 * <pre>{@code
 * {
 *   "DATABASE_URL": {"type": "secret", "encrypted": true, "value": "enc1:..."},
 *   "LOG_LEVEL":    {"type": "plain", "value": "debug"}
 * }
 * }</pre>
 *
 * Parse errors name the variable and the field at fault, never a value.
 */
public final class StoredVariables {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StoredVariables() {}

    /** Parses the stored shape into variables for {@link CodecClient#decryptAll}. */
    public static Map<String, Variable> parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("variables: not valid JSON (line " + e.getLocation().getLineNr() + ")");
        }
        return parse(root);
    }

    /** Parses an already-read JSON object of the stored shape. */
    public static Map<String, Variable> parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("variables: expected a JSON object of NAME -> {type, value}");
        }
        Map<String, Variable> variables = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            String name = entry.getKey();
            JsonNode node = entry.getValue();
            if (!node.isObject()) {
                throw new IllegalArgumentException(name + ": expected an object with \"type\" and \"value\"");
            }
            JsonNode type = node.get("type");
            JsonNode value = node.get("value");
            if (value == null || !value.isTextual()) {
                throw new IllegalArgumentException(name + ": missing string field \"value\"");
            }
            Variable.Kind kind;
            if (type != null && "secret".equals(type.asText())) {
                kind = Variable.Kind.SECRET;
            } else if (type != null && "plain".equals(type.asText())) {
                kind = Variable.Kind.PLAIN;
            } else {
                throw new IllegalArgumentException(name + ": \"type\" must be \"plain\" or \"secret\"");
            }
            variables.put(name, new Variable(kind, value.asText()));
        }
        return variables;
    }

    /** The stored shape of encrypted values (name to ciphertext) as a JSON object. */
    public static ObjectNode secrets(Map<String, String> encrypted) {
        ObjectNode root = JSON.createObjectNode();
        encrypted.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            ObjectNode variable = root.putObject(e.getKey());
            variable.put("type", "secret");
            variable.put("encrypted", true);
            variable.put("value", e.getValue());
        });
        return root;
    }
}
