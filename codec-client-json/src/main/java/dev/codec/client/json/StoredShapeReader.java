package dev.codec.client.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.codec.client.Variable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads deployment metadata and the stored variables shape with jackson-core's streaming parser
 * only: JSON objects become {@link LinkedHashMap}s, arrays {@link List}s, strings {@link String}s,
 * numbers {@link Number}s, true/false {@link Boolean}s and JSON null {@link #NULL}. It keeps
 * jackson-databind (ObjectMapper and its ~375 classes) off {@code codec-cli exec}'s path, which
 * reads one small file once. The checks and their messages are those {@link
 * StoredVariables#parse(com.fasterxml.jackson.databind.JsonNode)} makes on a databind tree, which
 * uses this class too.
 */
final class StoredShapeReader {
  /** JSON null, kept apart from a missing field. */
  static final Object NULL =
      new Object() {
        @Override
        public String toString() {
          return "null";
        }
      };

  private static final JsonFactory FACTORY = new JsonFactory();

  private StoredShapeReader() {}

  /**
   * The JSON value of {@code json}, or Java null if the text holds none; content after the first
   * value is ignored, as {@code ObjectMapper.readTree} does.
   *
   * @throws JsonProcessingException if the text is not JSON (its location says where)
   */
  static Object read(String json) throws JsonProcessingException {
    try (JsonParser parser = FACTORY.createParser(json)) {
      JsonToken first = parser.nextToken();
      return first == null ? null : value(parser, first);
    } catch (JsonProcessingException e) {
      throw e;
    } catch (IOException e) { // reading a String: cannot happen
      throw new UncheckedIOException(e);
    }
  }

  private static Object value(JsonParser parser, JsonToken token) throws IOException {
    return switch (token) {
      case START_OBJECT -> {
        Map<String, Object> object = new LinkedHashMap<>();
        for (JsonToken next = parser.nextToken();
            next != JsonToken.END_OBJECT;
            next = parser.nextToken()) {
          String name = parser.currentName();
          object.put(name, value(parser, parser.nextToken())); // a repeated name: the last one wins
        }
        yield object;
      }
      case START_ARRAY -> {
        List<Object> array = new ArrayList<>();
        for (JsonToken next = parser.nextToken();
            next != JsonToken.END_ARRAY;
            next = parser.nextToken()) {
          array.add(value(parser, next));
        }
        yield array;
      }
      case VALUE_STRING -> parser.getText();
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> parser.getNumberValue();
      case VALUE_TRUE -> true;
      case VALUE_FALSE -> false;
      case VALUE_NULL -> NULL;
      default ->
          throw new com.fasterxml.jackson.core.JsonParseException(
              parser, "unexpected token " + token);
    };
  }

  /**
   * Checks the stored shape ({@code NAME -> {"type": "plain"|"secret", "value": "..."}}) and
   * returns its variables in order. Other fields of a variable ({@code encrypted}, {@code
   * keyVersion}) are ignored.
   *
   * @param root the shape as {@link #read} returns it
   * @throws IllegalArgumentException naming the variable and the field at fault, never a value
   */
  static Map<String, Variable> variables(Object root) {
    if (!(root instanceof Map<?, ?> object)) {
      throw new IllegalArgumentException(
          "variables: expected a JSON object of NAME -> {type, value}");
    }
    Map<String, Variable> variables = new LinkedHashMap<>();
    for (Map.Entry<?, ?> entry : object.entrySet()) {
      String name = (String) entry.getKey();
      if (!(entry.getValue() instanceof Map<?, ?> variable)) {
        throw new IllegalArgumentException(
            name + ": expected an object with \"type\" and \"value\"");
      }
      if (!(variable.get("value") instanceof String value)) {
        throw new IllegalArgumentException(name + ": missing string field \"value\"");
      }
      Object type = variable.get("type");
      Variable.Kind kind;
      if ("secret".equals(type)) {
        kind = Variable.Kind.SECRET;
      } else if ("plain".equals(type)) {
        kind = Variable.Kind.PLAIN;
      } else {
        throw new IllegalArgumentException(name + ": \"type\" must be \"plain\" or \"secret\"");
      }
      variables.put(name, new Variable(kind, value));
    }
    return variables;
  }
}
