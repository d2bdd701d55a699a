package dev.codec.client.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * {@code -o yaml}, by jackson-dataformat-yaml. A class of its own so that the YAML classes (and
 * SnakeYAML) load only when YAML is printed, never on the {@code exec} path. Every string is
 * quoted, so a value such as {@code no}, {@code 0123} or {@code 1e3} reads back as the same string.
 */
final class YamlOutput {
  private static final YAMLMapper YAML =
      new YAMLMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .disable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .build());

  private YamlOutput() {}

  static String write(JsonNode result) throws JsonProcessingException {
    return YAML.writeValueAsString(result);
  }
}
