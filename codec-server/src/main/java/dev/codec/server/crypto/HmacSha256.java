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
