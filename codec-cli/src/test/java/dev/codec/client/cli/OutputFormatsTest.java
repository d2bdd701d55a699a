package dev.codec.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The output formats on hostile values: YAML's implicit types, control characters, dotted names.
 */
class OutputFormatsTest {
  private static final CommandLine CLI = CodecCli.newCommandLine();

  private static ObjectNode tricky() {
    ObjectNode node =
        OutputOptions.object()
            .put("NO", "no")
            .put("ZIP", "0123")
            .put("EXP", "1e3")
            .put("EMPTY", "")
            .put("NULLISH", "null")
            .put("MULTI", "line1\nFORGED_ROW  x")
            .put("ESCAPE", "\u001b[2J")
            .put("a.b", "dotted");
    node.putNull("absent");
    node.putObject("nested").putArray("list").add(7).addObject().put("k", "v");
    return node;
  }

  @Test
  void yaml_readsBackAsTheSameTree_stringsStayStrings() throws Exception {
    ObjectNode node = tricky();
    String yaml = YamlOutput.write(node);

    JsonNode back = new YAMLMapper().readTree(yaml);
    assertEquals(node, back, yaml);
    assertTrue(
        back.get("NO").isTextual() && back.get("ZIP").isTextual() && back.get("EXP").isTextual(),
        yaml);
    assertFalse(yaml.contains("\u001b"), "control characters are escaped in YAML");
  }

  @Test
  void table_oneRowPerValue_controlCharactersEscaped() {
    String table = TableOutput.write(tricky());
    List<String> rows = table.lines().toList();

    assertEquals(12, rows.size(), table); // header + 11 values
    assertTrue(rows.stream().noneMatch(row -> row.startsWith("FORGED_ROW")), table);
    assertTrue(rows.contains(pad("MULTI") + "line1\\nFORGED_ROW  x"), table);
    assertFalse(table.contains("\u001b"), "no terminal escape sequence reaches the terminal");
    assertTrue(rows.contains(pad("ESCAPE") + "\\u001b[2J"), table);
    assertTrue(rows.contains(pad("absent") + "-"), table);
    assertTrue(rows.contains(pad("nested.list.1.k") + "v"), table);
  }

  private static String pad(String field) {
    return field + " ".repeat("nested.list.1.k".length() - field.length()) + "  ";
  }

  @Test
  void field_selectsNestedValues_dottedNames_andNamesTheFieldsWhenMissing() throws Exception {
    ObjectNode node = tricky();

    assertEquals("dotted", OutputOptions.raw(OutputOptions.select(node, "a.b", CLI)));
    assertEquals("7", OutputOptions.raw(OutputOptions.select(node, "nested.list.0", CLI)));
    assertEquals("v", OutputOptions.raw(OutputOptions.select(node, "nested.list.1.k", CLI)));
    assertEquals(
        "{\"k\":\"v\"}", OutputOptions.raw(OutputOptions.select(node, "nested.list.1", CLI)));
    assertEquals("", OutputOptions.raw(OutputOptions.select(node, "absent", CLI)));
    assertEquals(
        "line1\nFORGED_ROW  x",
        OutputOptions.raw(OutputOptions.select(node, "MULTI", CLI)),
        "raw is raw");

    CommandLine.ParameterException missing =
        assertThrows(
            CommandLine.ParameterException.class,
            () -> OutputOptions.select(node, "nested.list.2", CLI));
    assertEquals("--field nested.list.2: no field '2' (there are: 0..1)", missing.getMessage());
    assertEquals(ExitCodes.USAGE, ExitCodes.of(missing));
  }
}
