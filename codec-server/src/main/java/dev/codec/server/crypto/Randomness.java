package dev.codec.server.crypto;

import java.security.SecureRandom;

/**
 * Cryptographically strong random bytes, one {@link SecureRandom} per thread to avoid contention.
 */
final class Randomness {
  private static final ThreadLocal<SecureRandom> RANDOM =
      ThreadLocal.withInitial(SecureRandom::new);

  private Randomness() {}

  static void nextBytes(byte[] out) {
    RANDOM.get().nextBytes(out);
  }
}
