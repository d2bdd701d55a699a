package dev.codec.client;

import java.util.Map;

/**
 * A project's new DEK and its values re-encrypted under it: store both in place of the old ones, in
 * one transaction.
 *
 * @param encryptedDek the new wrapped DEK
 * @param kekVersion the KEK version that wrapped it
 * @param encrypted variable name to ciphertext under the new DEK
 */
public record RotatedDek(String encryptedDek, int kekVersion, Map<String, String> encrypted) {
  @Override
  public String toString() {
    return "RotatedDek[kekVersion=" + kekVersion + ", values=" + encrypted.size() + "]";
  }
}
