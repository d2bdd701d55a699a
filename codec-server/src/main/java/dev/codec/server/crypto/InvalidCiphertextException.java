package dev.codec.server.crypto;

/**
 * A ciphertext or wrapped DEK that cannot be used: malformed (bad prefix, bad base64, wrong length)
 * or not authentic (tampered, bound to another project, sealed under another key).
 *
 * <p>Deliberately one type for every failure, with a fixed message that never contains key
 * material, plaintext or the ciphertext itself, so callers cannot learn which check failed.
 */
public final class InvalidCiphertextException extends Exception {
  private static final long serialVersionUID = 1L;

  public InvalidCiphertextException() {
    super("invalid ciphertext", null, false, false);
  }
}
