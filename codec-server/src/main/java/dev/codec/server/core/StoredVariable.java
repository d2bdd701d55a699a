package dev.codec.server.core;

/**
 * One environment variable of a revision as the caller stores it: plaintext (PLAIN) or a ciphertext
 * (SECRET).
 */
public record StoredVariable(Kind kind, String value) {
  /** How the value is stored. */
  public enum Kind {
    /** Missing or unknown kind: always rejected. */
    UNSPECIFIED,
    PLAIN,
    SECRET
  }

  @Override
  public String toString() {
    return "StoredVariable[kind=" + kind + ", value=(redacted)]";
  }
}
