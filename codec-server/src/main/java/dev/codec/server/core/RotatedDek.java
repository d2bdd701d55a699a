package dev.codec.server.core;

import java.util.Map;

/**
 * The result of RotateDek: a new wrapped DEK and every value re-encrypted under it.
 *
 * @param wrapped the new DEK, wrapped under the active KEK
 * @param encrypted variable name to ciphertext under the new DEK
 */
public record RotatedDek(WrappedDek wrapped, Map<String, String> encrypted) {
  @Override
  public String toString() {
    return "RotatedDek[kekVersion=" + wrapped.kekVersion() + ", values=" + encrypted.size() + "]";
  }
}
