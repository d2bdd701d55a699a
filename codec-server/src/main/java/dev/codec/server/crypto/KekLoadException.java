package dev.codec.server.crypto;

/**
 * No usable KEK ring could be built. The message names what is missing or wrong (a path, a version,
 * a setting) and never contains key material.
 */
public final class KekLoadException extends Exception {
  private static final long serialVersionUID = 1L;

  public KekLoadException(String message) {
    super(message, null, false, false);
  }
}
