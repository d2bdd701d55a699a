package dev.codec.server.crypto;

import java.security.InvalidKeyException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 with one reusable {@link Mac} per thread, and constant-time tag comparison. */
final class HmacSha256 {
  static final int TAG_BYTES = 32;
  private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(Hkdf::newMac);

  private HmacSha256() {}

  /** This thread's Mac, initialised with {@code key}: update it, then {@code doFinal()}. */
  static Mac start(SecretKey key) {
    Mac mac = MAC.get();
    try {
      mac.init(key);
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("HMAC-SHA256 refused a key", e);
    }
    return mac;
  }

  private static final SecretKeySpec ZERO_KEY =
      new SecretKeySpec(new byte[TAG_BYTES], "HmacSHA256");

  /**
   * Re-keys {@code mac} with the all-zero key, so the thread's Mac no longer holds the pads of the
   * last real key (a KEK-derived or DEK-derived key). Cheap (two SHA-256 blocks of precomputation).
   */
  static void forget(Mac mac) {
    try {
      mac.init(ZERO_KEY);
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("HMAC-SHA256 refused a key", e);
    }
  }

  /** This thread's Mac for one long-lived key, and that key. */
  private static final class KeptMac {
    final Mac mac = Hkdf.newMac();
    SecretKey key;
  }

  private static final ThreadLocal<KeptMac> KEPT = ThreadLocal.withInitial(KeptMac::new);

  /**
   * This thread's second Mac, initialised with {@code key} only when it was last used with another
   * key: for a long-lived key checked on every call (a KEK version's grant key, which the KEK ring
   * holds for as long as that version is loaded), so a call pays neither {@code Mac.init} nor the
   * re-keying of {@link #forget} (two SHA-256 blocks each). The Mac keeps that key's pads between
   * calls, as the ring keeps the key itself; a key the ring has dropped stays in it until the
   * thread's next use with a newer key. Update it, then {@code doFinal()}, which leaves it ready
   * for the next use; {@code reset()} it if a use ends early.
   */
  static Mac keptFor(SecretKey key) {
    KeptMac kept = KEPT.get();
    if (kept.key != key || key.isDestroyed()) { // a destroyed key fails in init, as before
      try {
        kept.mac.init(key);
      } catch (InvalidKeyException e) {
        throw new IllegalStateException("HMAC-SHA256 refused a key", e);
      }
      kept.key = key;
    }
    return kept.mac;
  }

  /** This thread's Mac, not initialised (callers init it with their key). */
  static Mac threadMac() {
    return MAC.get();
  }

  /**
   * Constant-time comparison of two tags (MessageDigest.isEqual is constant-time for equal
   * lengths).
   */
  static boolean equal(byte[] expected, byte[] actual) {
    return MessageDigest.isEqual(expected, actual);
  }
}
