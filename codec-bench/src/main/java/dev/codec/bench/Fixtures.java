package dev.codec.bench;

import dev.codec.server.core.AccessPolicy;
import dev.codec.server.core.CodecService;
import dev.codec.server.core.DekCache;
import dev.codec.server.core.InputFormats;
import dev.codec.server.core.Limits;
import dev.codec.server.core.RejectedRequestException;
import dev.codec.server.core.StoredVariable;
import dev.codec.server.core.ValueFormatCounter;
import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.KekLoadException;
import dev.codec.server.crypto.KekRing;
import dev.codec.server.crypto.SymmetricKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
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

  /**
   * A {@link CodecService} without grant or seal requirements (AccessPolicy.OPEN), strict input
   * formats, default limits and a one-hour DEK cache: the service DecryptAll benchmarks call.
   */
  static CodecService openService(EnvelopeCrypto crypto) {
    return new CodecService(
        crypto,
        new DekCache(Duration.ofHours(1), 10_000),
        Limits.DEFAULTS,
        InputFormats.strict(crypto, true),
        AccessPolicy.OPEN,
        ValueFormatCounter.NONE);
  }

  /**
   * {@code plain} encrypted under {@code wrapped} as SECRET variables, in {@code plain}'s order.
   */
  static Map<String, StoredVariable> secretVariables(
      CodecService service, String wrapped, Map<String, String> plain)
      throws RejectedRequestException {
    Map<String, StoredVariable> variables = new LinkedHashMap<>();
    service
        .encrypt(PROJECT, wrapped, plain)
        .forEach(
            (name, value) ->
                variables.put(name, new StoredVariable(StoredVariable.Kind.SECRET, value)));
    return variables;
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
