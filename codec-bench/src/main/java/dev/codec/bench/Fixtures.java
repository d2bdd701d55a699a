package dev.codec.bench;

import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.KekLoadException;
import dev.codec.server.crypto.KekRing;
import dev.codec.server.crypto.SymmetricKey;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/** Shared set-up of the benchmarks: a random one-version KEK ring and printable plaintexts. */
final class Fixtures {
  static final String PROJECT = "bench-project";

  private Fixtures() {}

  /** Envelope crypto over a fresh random KEK (version 1). */
  static EnvelopeCrypto crypto() {
    try {
      KekRing ring = KekRing.of(Map.of(1, SymmetricKey.random()), null);
      return new EnvelopeCrypto(() -> ring);
    } catch (KekLoadException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code size} bytes of printable ASCII (valid UTF-8, as real environment values are). */
  static byte[] plaintext(int size) {
    byte[] bytes = new byte[size];
    for (int i = 0; i < size; i++) {
      bytes[i] = (byte) ('a' + i % 26);
    }
    return bytes;
  }

  static String plaintextString(int size) {
    return new String(plaintext(size), StandardCharsets.US_ASCII);
  }

  /**
   * The associated data the codec uses for values, so the raw JCE baseline authenticates as much.
   */
  static byte[] valueAad() {
    return ("enc1:" + PROJECT).getBytes(StandardCharsets.UTF_8);
  }

  static byte[] copy(byte[] bytes) {
    return Arrays.copyOf(bytes, bytes.length);
  }
}
