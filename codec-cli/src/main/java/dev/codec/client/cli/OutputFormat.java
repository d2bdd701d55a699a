package dev.codec.client.cli;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;

/**
 * The formats of {@code -o}: compact JSON (the default, one line), indented JSON, YAML, a table for
 * people.
 */
enum OutputFormat {
  JSON("json"),
  JSON_PRETTY("json-pretty"),
  YAML("yaml"),
  TABLE("table");

  final String label;

  OutputFormat(String label) {
    this.label = label;
  }

  @Override
  public String toString() {
    return label;
  }

  /** Parses {@code json}, {@code json-pretty}, {@code yaml}, {@code table}. */
  static final class Converter implements CommandLine.ITypeConverter<OutputFormat> {
    @Override
    public OutputFormat convert(String text) {
      String wanted = text.trim().toLowerCase(Locale.ROOT);
      for (OutputFormat format : values()) {
        if (format.label.equals(wanted)) {
          return format;
        }
      }
      throw new CommandLine.TypeConversionException("'" + text + "' is not one of " + new Names());
    }
  }

  /** The labels, for help text and shell completion. */
  static final class Names implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return List.of(values()).stream().map(format -> format.label).iterator();
    }

    @Override
    public String toString() {
      return String.join(", ", this);
    }
  }
}
