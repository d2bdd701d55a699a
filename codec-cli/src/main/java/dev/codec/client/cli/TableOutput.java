package dev.codec.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code -o table}: for people. One row per leaf value, its dotted path on the left, the value on
 * the right, columns aligned ({@code kek_versions.0.fingerprint ab12...}), so the same paths work
 * with {@code --field}. Hand-written (a dozen lines): picocli's TextTable wraps long values such as
 * wrapped DEKs, which must stay on one line to be copied.
 */
final class TableOutput {
  private TableOutput() {}

  static String write(JsonNode result) {
    List<String[]> rows = new ArrayList<>();
    flatten("", result, rows);
    int width = 5; // "FIELD"
    for (String[] row : rows) {
      width = Math.max(width, row[0].length());
    }
    StringBuilder table = new StringBuilder();
    table.append(pad("FIELD", width)).append("  VALUE\n");
    for (String[] row : rows) {
      table.append(pad(row[0], width)).append("  ").append(row[1]).append('\n');
    }
    return table.toString();
  }

  private static void flatten(String path, JsonNode node, List<String[]> rows) {
    if (node.isObject() && !node.isEmpty()) {
      for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
        Map.Entry<String, JsonNode> field = fields.next();
        flatten(
            path.isEmpty() ? field.getKey() : path + "." + field.getKey(), field.getValue(), rows);
      }
    } else if (node.isArray() && !node.isEmpty()) {
      for (int i = 0; i < node.size(); i++) {
        flatten(path.isEmpty() ? Integer.toString(i) : path + "." + i, node.get(i), rows);
      }
    } else {
      String value = node.isNull() ? "-" : node.isContainerNode() ? node.toString() : node.asText();
      rows.add(new String[] {path, printable(value)});
    }
  }

  /**
   * Control characters escaped: a line break inside a value would forge a row, and a decrypted
   * value could carry terminal escape sequences.
   */
  static String printable(String value) {
    StringBuilder out = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }

  private static String pad(String text, int width) {
    return text + " ".repeat(width - text.length());
  }
}
