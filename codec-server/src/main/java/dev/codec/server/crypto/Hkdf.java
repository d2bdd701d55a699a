package dev.codec.server.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF-SHA256 (RFC 5869): derives a per-purpose 32-byte key from a KEK or DEK and a fixed label, so
 * a key is never used for two purposes. The labels are the {@code *_INFO} constants: fixed,
 * distinct, and part of the format (changing one makes every grant or seal invalid).
 *
 * <p>Hand-written over the JCE's {@code HmacSHA256} on purpose: BouncyCastle's {@code
 * HKDFBytesGenerator} is only on the server's test classpath, and adding the 8 MB provider to the
 * image for twenty lines of RFC 5869 is not worth it. Checked against the RFC's SHA-256 test
 * vectors (HkdfTest).
 */
public final class Hkdf {
  /** Info label of the key that authenticates deployment grants, derived from each KEK version. */
  public static final String GRANT_MAC_INFO = "codec/v1 grant-mac";

  /**
   * Info label of the key that seals revisions (seal3, AES-GMAC), derived from a project's DEK. A
   * label of its own per seal version: seal2's HMAC key ("codec/v1 revision-seal") is never used as
   * an AES key.
   */
  public static final String REVISION_SEAL_INFO = "codec/v1 revision-seal3";

  private static final String HMAC = "HmacSHA256";
  private static final int HASH_BYTES = 32;

  private Hkdf() {}

  /**
   * A 32-byte key for {@code info} from {@code ikm}, with an empty salt (RFC 5869: a zero-filled
   * salt).
   */
  public static SymmetricKey deriveKey(SecretKey ikm, String info) {
    byte[] raw = ikm.getEncoded();
    try {
      byte[] okm =
          derive(new byte[0], raw, info.getBytes(StandardCharsets.UTF_8), SymmetricKey.KEY_BYTES);
      try {
        return SymmetricKey.copyOf(okm);
      } finally {
        Arrays.fill(okm, (byte) 0);
      }
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  /**
   * RFC 5869 extract-then-expand: {@code length} bytes (at most 255 * 32). The caller owns the
   * result. The thread's Mac is re-keyed with a zero key afterwards, so it keeps no pads of the
   * PRK.
   */
  static byte[] derive(byte[] salt, byte[] ikm, byte[] info, int length) {
    if (length < 1 || length > 255 * HASH_BYTES) {
      throw new IllegalArgumentException("HKDF output length must be 1.." + 255 * HASH_BYTES);
    }
    Mac mac = HmacSha256.threadMac();
    byte[] prk = hmac(mac, salt.length == 0 ? new byte[HASH_BYTES] : salt, ikm);
    try {
      initWiped(mac, prk);
      byte[] okm = new byte[length];
      byte[] block = new byte[0];
      for (int i = 1, written = 0; written < length; i++) {
        mac.update(block);
        mac.update(info);
        mac.update((byte) i);
        Arrays.fill(block, (byte) 0);
        block = mac.doFinal();
        int n = Math.min(block.length, length - written);
        System.arraycopy(block, 0, okm, written, n);
        written += n;
      }
      Arrays.fill(block, (byte) 0);
      return okm;
    } finally {
      Arrays.fill(prk, (byte) 0);
      HmacSha256.forget(mac);
    }
  }

  private static byte[] hmac(Mac mac, byte[] key, byte[] data) {
    init(mac, key); // the salt: not secret (zeros by default)
    return mac.doFinal(data);
  }

  private static void init(Mac mac, byte[] key) {
    try {
      mac.init(new SecretKeySpec(key, HMAC));
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("HMAC-SHA256 refused a key", e);
    }
  }

  /**
   * Keys {@code mac} with a secret 32-byte key without leaving an unwiped SecretKeySpec copy of it.
   */
  private static void initWiped(Mac mac, byte[] key) {
    SymmetricKey wrapped = SymmetricKey.copyOf(key);
    try {
      mac.init(wrapped);
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("HMAC-SHA256 refused a key", e);
    } finally {
      wrapped.destroy();
    }
  }

  static Mac newMac() {
    try {
      return Mac.getInstance(HMAC);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(HMAC + " is not available in this JVM", e);
    }
  }
}
