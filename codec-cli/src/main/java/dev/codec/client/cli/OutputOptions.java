package dev.codec.client.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code -o FORMAT} and {@code --field NAME}: how a command prints its result. Shared by every
 * command that prints one. Results are built as a Jackson tree; YAML classes load only when YAML is
 * asked for.
 */
final class OutputOptions {
  /**
   * The mapper, created on first use: picocli creates this mixin for every command when codec-cli
   * starts, and a static ObjectMapper here loaded ~375 Jackson classes into every run, {@code
   * exec}'s and {@code --version}'s included.
   */
  static ObjectMapper json() {
    return Json.MAPPER;
  }

  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      converter = OutputFormat.Converter.class,
      completionCandidates = OutputFormat.Names.class,
      defaultValue = "${env:CODEC_OUTPUT:-json}",
      description =
          "Output format: ${COMPLETION-CANDIDATES} (env CODEC_OUTPUT). Default: ${DEFAULT-VALUE}.")
  OutputFormat format;

  @Option(
      names = "--field",
      paramLabel = "NAME",
      defaultValue = "${env:CODEC_FIELD}",
      description =
          "Print only this field's raw value (a.b for nested fields, a.0 for an array's first"
              + " element), e.g. encrypted_dek (env CODEC_FIELD).")
  String field;

  @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
  CommandLine.Model.CommandSpec mixee;

  /**
   * Prints {@code result} to the command's stdout in the chosen format, or only the chosen field.
   */
  void print(JsonNode result) throws JsonProcessingException {
    PrintWriter out = mixee.commandLine().getOut();
    if (field != null && !field.isEmpty()) {
      out.println(raw(select(result, field, mixee.commandLine())));
    } else {
      switch (format) {
        case JSON -> out.println(json().writeValueAsString(result));
        case JSON_PRETTY ->
            out.println(json().writerWithDefaultPrettyPrinter().writeValueAsString(result));
        case YAML -> out.print(YamlOutput.write(result));
        case TABLE -> out.print(TableOutput.write(result));
      }
    }
    out.flush();
  }

  /** The node at a dotted path; a usage error naming the fields there if there is none. */
  static JsonNode select(JsonNode result, String path, CommandLine commandLine) {
    if (result.isObject() && result.has(path)) {
      return result.get(path); // a name with dots in it, e.g. a variable named a.b
    }
    JsonNode node = result;
    for (String part : path.split("\\.", -1)) {
      JsonNode next =
          node.isArray() && part.matches("\\d{1,9}")
              ? node.get(Integer.parseInt(part))
              : node.get(part);
      if (next == null) {
        throw new CommandLine.ParameterException(
            commandLine,
            "--field " + path + ": no field '" + part + "' (there are: " + names(node) + ")");
      }
      node = next;
    }
    return node;
  }

  private static String names(JsonNode node) {
    if (node.isArray()) {
      return node.isEmpty() ? "none" : "0.." + (node.size() - 1);
    }
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names.isEmpty() ? "none" : String.join(", ", names);
  }

  /**
   * A string as it is, a number or boolean as its text, null as an empty line, anything else as
   * JSON.
   */
  static String raw(JsonNode node) throws JsonProcessingException {
    if (node.isNull()) {
      return "";
    }
    return node.isValueNode() ? node.asText() : json().writeValueAsString(node);
  }

  static ObjectNode object() {
    return json().createObjectNode();
  }
}
