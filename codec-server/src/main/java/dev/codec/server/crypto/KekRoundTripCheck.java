package dev.codec.server.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The start-up self-test of the crypto: proves the loaded KEK ring works before the service reports
 * itself healthy: wraps a fresh DEK under the active KEK, unwraps it again, and encrypts and
 * decrypts a value under it. Uses a reserved project id and throwaway data only; nothing is kept.
 */
public final class KekRoundTripCheck {
  /** The project id the self-test binds its throwaway DEK and value to. */
  public static final String PROJECT = "codec-self-test";

  private static final byte[] PROBE = "codec self-test".getBytes(StandardCharsets.UTF_8);

  private KekRoundTripCheck() {}

  /**
   * Runs the wrap/unwrap/encrypt/decrypt round trip.
   *
   * @return the KEK version that was tested (the active one)
   * @throws IllegalStateException naming the step that failed (never key material)
   */
  public static int run(EnvelopeCrypto crypto) {
    SymmetricKey dek = SymmetricKey.random();
    try {
      EnvelopeCrypto.WrappedDek wrapped = crypto.wrap(PROJECT, dek);
      SymmetricKey unwrapped;
      try {
        unwrapped = crypto.unwrap(PROJECT, wrapped.encoded());
      } catch (InvalidCiphertextException | UnknownKekVersionException e) {
        throw new IllegalStateException(
            "self-test: a DEK wrapped under KEK version "
                + wrapped.kekVersion()
                + " did not unwrap: "
                + e.getMessage());
      }
      try {
        if (!sameKey(dek, unwrapped)) {
          throw new IllegalStateException("self-test: unwrapped DEK differs from the wrapped one");
        }
        EnvelopeCrypto.ValueCipher cipher = crypto.valueCipher(PROJECT, unwrapped);
        byte[] back = cipher.decrypt(cipher.encrypt(PROBE));
        if (!Arrays.equals(PROBE, back)) {
          throw new IllegalStateException("self-test: value round trip returned other bytes");
        }
      } catch (InvalidCiphertextException e) {
        throw new IllegalStateException("self-test: value did not decrypt: " + e.getMessage());
      } finally {
        unwrapped.destroy();
      }
      return wrapped.kekVersion();
    } finally {
      dek.destroy();
    }
  }

  private static boolean sameKey(SymmetricKey a, SymmetricKey b) {
    byte[] x = a.getEncoded();
    byte[] y = b.getEncoded();
    try {
      return java.security.MessageDigest.isEqual(x, y);
    } finally {
      Arrays.fill(x, (byte) 0);
      Arrays.fill(y, (byte) 0);
    }
  }
}
