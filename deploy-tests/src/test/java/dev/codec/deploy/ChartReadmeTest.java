package dev.codec.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * helm/codec/README.md's values table is generated from values.yaml: each key preceded by a {@code
 * # --} comment is a row (its path, its default, the comment). The test fails when the table
 * differs from values.yaml (run scripts/render-k8s.sh, or this test with {@code
 * -Dcodec.render.readme=true}, to rewrite it) and when a value in values.yaml is not documented by
 * a {@code # --} comment on itself or an enclosing key.
 */
class ChartReadmeTest {
  static final Path README = HelmChart.CHART.resolve("README.md");
  static final String START =
      "<!-- values:start (generated from values.yaml by ChartReadmeTest: do not edit) -->";
  static final String END = "<!-- values:end -->";
  private static final Pattern KEY = Pattern.compile("^( *)([A-Za-z0-9_.\"-]+):(.*)$");
  private static final Pattern DOC = Pattern.compile("^( *)# -- ?(.*)$");
  private static final Pattern MORE = Pattern.compile("^( *)# ?(.*)$");

  @Test
  void readmeValuesTable_equalsValuesYaml() throws IOException {
    String table = table();
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    int start = readme.indexOf(START);
    int end = readme.indexOf(END);
    assertTrue(start >= 0 && end > start, "README.md has no values markers");
    String expected =
        readme.substring(0, start + START.length()) + "\n" + table + readme.substring(end);
    if (Boolean.getBoolean("codec.render.readme")) {
      Files.writeString(README, expected, StandardCharsets.UTF_8);
      readme = expected;
    }
    assertEquals(
        expected,
        readme,
        "helm/codec/README.md's values table is out of date: run "
            + "scripts/render-k8s.sh (it rewrites the table too) and commit it");
  }

  @Test
  void everyValue_isDocumented() throws IOException {
    Map<String, String> documented = documented();
    JsonNode values =
        new ObjectMapper(new YAMLFactory())
            .readTree(HelmChart.CHART.resolve("values.yaml").toFile());
    List<String> undocumented = new ArrayList<>();
    leaves(
        values,
        "",
        path -> {
          String prefix = path;
          while (!documented.containsKey(prefix)) {
            int dot = prefix.lastIndexOf('.');
            if (dot < 0) {
              undocumented.add(path);
              return;
            }
            prefix = prefix.substring(0, dot);
          }
        });
    assertEquals(
        List.of(), undocumented, "values without a '# --' comment on them or an enclosing key");
    assertTrue(documented.size() > 60, "only " + documented.size() + " documented values");
  }

  /** The table rows, in values.yaml order. */
  static String table() throws IOException {
    JsonNode values =
        new ObjectMapper(new YAMLFactory())
            .readTree(HelmChart.CHART.resolve("values.yaml").toFile());
    ObjectMapper json = new ObjectMapper();
    StringBuilder out = new StringBuilder("| Value | Default | Description |\n|---|---|---|\n");
    for (Map.Entry<String, String> row : documented().entrySet()) {
      JsonNode node = values;
      for (String part : row.getKey().split("\\.", -1)) {
        node = node == null ? null : node.get(part.replace("\"", ""));
      }
      String value = node == null || node.isNull() ? "null" : json.writeValueAsString(node);
      out.append("| `")
          .append(row.getKey())
          .append("` | `")
          .append(value.replace("|", "\\|"))
          .append("` | ")
          .append(row.getValue().replace("|", "\\|"))
          .append(" |\n");
    }
    return out.toString();
  }

  /** Path -> description of every key that has a {@code # --} comment, in file order. */
  static Map<String, String> documented() throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    Deque<Object[]> stack = new ArrayDeque<>(); // {indent, key}
    StringBuilder pending = null;
    int pendingIndent = -1;
    for (String line :
        Files.readAllLines(HelmChart.CHART.resolve("values.yaml"), StandardCharsets.UTF_8)) {
      Matcher doc = DOC.matcher(line);
      Matcher more = MORE.matcher(line);
      Matcher key = KEY.matcher(line);
      if (doc.matches()) {
        pending = new StringBuilder(doc.group(2).trim());
        pendingIndent = doc.group(1).length();
      } else if (more.matches() && pending != null && more.group(1).length() == pendingIndent) {
        pending.append(' ').append(more.group(2).trim());
      } else if (key.matches()) {
        int indent = key.group(1).length();
        while (!stack.isEmpty() && (int) stack.peek()[0] >= indent) {
          stack.pop();
        }
        List<String> parts = new ArrayList<>();
        stack.descendingIterator().forEachRemaining(e -> parts.add((String) e[1]));
        parts.add(key.group(2));
        if (pending != null && pendingIndent == indent) {
          out.put(String.join(".", parts), pending.toString());
        }
        pending = null;
        stack.push(new Object[] {indent, key.group(2)});
      } else if (line.isBlank()) {
        pending = null;
      }
    }
    return out;
  }

  private static void leaves(JsonNode node, String path, java.util.function.Consumer<String> each) {
    if (node.isObject() && node.size() > 0) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        String name = field.getKey().contains(".") ? "\"" + field.getKey() + "\"" : field.getKey();
        leaves(field.getValue(), path.isEmpty() ? name : path + "." + name, each);
      }
    } else {
      each.accept(path);
    }
  }
}
