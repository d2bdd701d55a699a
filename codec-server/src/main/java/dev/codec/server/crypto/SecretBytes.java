package dev.codec.server.crypto;

import java.util.Arrays;

/** Helpers for secrets held as bytes (never as Strings). */
public final class SecretBytes {
  private SecretBytes() {}

  /**
   * A copy of {@code content} without leading and trailing ASCII whitespace; the caller wipes both.
   */
  public static byte[] trimWhitespace(byte[] content) {
    int start = 0;
    int end = content.length;
    while (start < end && Character.isWhitespace(content[start])) {
      start++;
    }
    while (end > start && Character.isWhitespace(content[end - 1])) {
      end--;
    }
    return Arrays.copyOfRange(content, start, end);
  }
}
