package dev.codec.client.cli;

import java.time.Duration;
import picocli.CommandLine;

/** Parses {@code 250ms}, {@code 10s}, {@code 2m}, {@code 24h} (or ISO-8601 like {@code PT10S}). */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  @Override
  public Duration convert(String text) {
    String value = text.trim().toLowerCase(java.util.Locale.ROOT);
    try {
      if (value.startsWith("pt")) {
        return Duration.parse(value.toUpperCase(java.util.Locale.ROOT));
      } else if (value.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
      } else if (value.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
      } else if (value.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1)));
      } else if (value.endsWith("h")) {
        return Duration.ofHours(Long.parseLong(value.substring(0, value.length() - 1)));
      }
    } catch (RuntimeException e) {
      // fall through to the error below
    }
    throw new CommandLine.TypeConversionException(
        "'" + text + "' is not a duration like 500ms, 10s, 1m or 24h");
  }
}
