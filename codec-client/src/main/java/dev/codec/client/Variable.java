package dev.codec.client;

import java.util.Objects;

/**
 * One stored environment variable: a plaintext {@link Kind#PLAIN} value or a {@link Kind#SECRET}
 * ciphertext. {@link #toString()} never shows the value.
 */
public record Variable(Kind kind, String value) {
  /** How a variable is stored. */
  public enum Kind {
    PLAIN,
    SECRET
  }

  public Variable {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(value, "value");
  }

  public static Variable plain(String value) {
    return new Variable(Kind.PLAIN, value);
  }

  public static Variable secret(String ciphertext) {
    return new Variable(Kind.SECRET, ciphertext);
  }

  @Override
  public String toString() {
    return "Variable[" + kind + "]";
  }
}
