package dev.codec.server.core;

import java.util.Map;

/**
 * The result of Encrypt: the secrets' ciphertexts ("enc2:") and the seal over the whole revision
 * (those ciphertexts plus the PLAIN values given with them).
 */
public record EncryptedRevision(Map<String, String> encrypted, String seal) {
  @Override
  public String toString() {
    return "EncryptedRevision[values=" + encrypted.size() + "]";
  }
}
