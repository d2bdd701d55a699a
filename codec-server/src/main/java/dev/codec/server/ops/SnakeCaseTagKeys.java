package dev.codec.server.ops;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;

/**
 * Renames camelCase tag keys to Prometheus' snake_case on every meter: Micronaut's gRPC binder tags
 * its meters {@code methodType} and {@code statusCode}, which become {@code method_type} and {@code
 * status_code}. Only keys change, never tag values, and keys that are already lowercase pass
 * unchanged (no allocation).
 *
 * <p>Micrometer's {@code PrometheusNamingConvention} only replaces characters Prometheus forbids
 * (dots), it does not split camelCase words, hence this filter.
 */
@Singleton
public class SnakeCaseTagKeys implements MeterFilter {

  @Override
  public Meter.Id map(Meter.Id id) {
    boolean camel = false;
    for (Tag tag : id.getTagsAsIterable()) {
      camel |= hasUpperCase(tag.getKey());
    }
    if (!camel) {
      return id;
    }
    List<Tag> renamed = new ArrayList<>();
    for (Tag tag : id.getTagsAsIterable()) {
      renamed.add(
          hasUpperCase(tag.getKey()) ? Tag.of(snakeCase(tag.getKey()), tag.getValue()) : tag);
    }
    return id.replaceTags(renamed);
  }

  /** {@code methodType} is {@code method_type}; {@code HTTPStatus} is {@code http_status}. */
  static String snakeCase(String key) {
    StringBuilder out = new StringBuilder(key.length() + 4);
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (Character.isUpperCase(c)) {
        boolean afterLower =
            i > 0
                && !Character.isUpperCase(key.charAt(i - 1))
                && key.charAt(i - 1) != '_'
                && key.charAt(i - 1) != '.';
        boolean endsAcronym =
            i > 0
                && Character.isUpperCase(key.charAt(i - 1))
                && i + 1 < key.length()
                && Character.isLowerCase(key.charAt(i + 1));
        if (afterLower || endsAcronym) {
          out.append('_');
        }
        out.append(Character.toLowerCase(c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean hasUpperCase(String key) {
    for (int i = 0; i < key.length(); i++) {
      if (Character.isUpperCase(key.charAt(i))) {
        return true;
      }
    }
    return false;
  }
}
