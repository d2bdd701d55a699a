package dev.codec.server.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM authenticated encryption with a random nonce per message and a 128-bit tag.
 *
 * <p>Byte layout of a sealed message:
 *
 * <pre>
 *   nonce (NONCE_BYTES = 12 random bytes) || ciphertext (same length as the plaintext) || tag (16 bytes)
 * </pre>
 *
 * {@link #open} also accepts the 16-byte nonces of the legacy codec ({@link #LEGACY_NONCE_BYTES}).
 *
 * <p>Thread-safe: each thread reuses its own {@link Cipher}, re-initialised for every message.
 */
public final class AesGcm {
  /** Nonce length of everything this service produces: 96 bits, the GCM standard. */
  public static final int NONCE_BYTES = 12;

  /** Nonce (IV) length used by the legacy Node codec. Accepted for decryption only. */
  public static final int LEGACY_NONCE_BYTES = 16;

  /** Authentication tag length. */
  public static final int TAG_BYTES = 16;

  private static final int TAG_BITS = TAG_BYTES * 8;
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";

  private static final ThreadLocal<Cipher> CIPHER = ThreadLocal.withInitial(AesGcm::newCipher);

  /**
   * GMACs have a Cipher of their own per thread: the JCE expands an AES key only when a Cipher is
   * given a key other than its last one, so a DecryptAll's seal check (seal key) and its values'
   * decryption (DEK) sharing one Cipher re-expanded both keys on every call (BENCHMARKS.md, "Seal
   * v4").
   */
  private static final ThreadLocal<Cipher> GMAC_CIPHER = ThreadLocal.withInitial(AesGcm::newCipher);

  private AesGcm() {}

  /** The length of a sealed message for a plaintext of {@code plaintextLength} bytes. */
  public static int sealedLength(int plaintextLength) {
    return NONCE_BYTES + plaintextLength + TAG_BYTES;
  }

  /**
   * Encrypts and authenticates {@code plaintext} and authenticates {@code aad}, with a fresh random
   * 12-byte nonce.
   *
   * @return nonce || ciphertext || tag
   */
  public static byte[] seal(SecretKey key, byte[] plaintext, byte[] aad) {
    byte[] out = new byte[sealedLength(plaintext.length)];
    byte[] nonce = new byte[NONCE_BYTES];
    Randomness.nextBytes(nonce);
    System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
    try {
      Cipher cipher = CIPHER.get();
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(aad);
      cipher.doFinal(plaintext, 0, plaintext.length, out, NONCE_BYTES);
      return out;
    } catch (GeneralSecurityException e) {
      // Only reachable with a broken JCE or a destroyed key: never caused by client input.
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  /**
   * Verifies and decrypts a sealed message.
   *
   * @param sealed nonce || ciphertext || tag, with a nonce of {@code nonceBytes} bytes
   * @param aad the associated data it was sealed with (empty for none)
   * @throws InvalidCiphertextException if it is too short, or does not authenticate under this key
   *     and associated data
   */
  public static byte[] open(SecretKey key, byte[] sealed, byte[] aad, int nonceBytes)
      throws InvalidCiphertextException {
    if (sealed.length < nonceBytes + TAG_BYTES) {
      throw new InvalidCiphertextException();
    }
    try {
      Cipher cipher = CIPHER.get();
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, nonceBytes));
      cipher.updateAAD(aad);
      return cipher.doFinal(sealed, nonceBytes, sealed.length - nonceBytes);
    } catch (AEADBadTagException e) {
      throw new InvalidCiphertextException();
    } catch (GeneralSecurityException | IllegalStateException e) {
      // Any other failure while opening is still "this ciphertext cannot be used".
      throw new InvalidCiphertextException();
    }
  }

  /**
   * Starts a GMAC (NIST SP 800-38D: AES-GCM with an empty plaintext, so the 16-byte tag
   * authenticates only the associated data): this thread's {@link Cipher}, initialised with {@code
   * key} and the 12-byte {@code nonce} at {@code nonceOffset}. Give it the data with {@code
   * updateAAD}, then finish with {@link #gmacTag} (for a fresh nonce: a (key, nonce) pair must
   * never make two tags) or {@link #gmacMatches} (to check a given tag).
   *
   * @param verify whether the tag will be checked ({@link #gmacMatches}) rather than made
   */
  static Cipher startGmac(SecretKey key, byte[] nonce, int nonceOffset, boolean verify) {
    try {
      Cipher cipher = GMAC_CIPHER.get();
      cipher.init(
          verify ? Cipher.DECRYPT_MODE : Cipher.ENCRYPT_MODE,
          key,
          new GCMParameterSpec(TAG_BITS, nonce, nonceOffset, NONCE_BYTES));
      return cipher;
    } catch (GeneralSecurityException e) {
      // A destroyed key, a broken JCE or a repeated (key, nonce) for a new tag: never client input.
      throw new IllegalStateException("AES-GMAC initialisation failed", e);
    }
  }

  /** The 16-byte tag of a GMAC started with {@code verify = false}. */
  static byte[] gmacTag(Cipher cipher) {
    try {
      return cipher.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GMAC failed", e);
    }
  }

  /**
   * Whether the 16 bytes of {@code tag} at {@code offset} are the tag of a GMAC started with {@code
   * verify = true} (compared by the JCE in constant time).
   */
  static boolean gmacMatches(Cipher cipher, byte[] tag, int offset) {
    try {
      cipher.doFinal(tag, offset, TAG_BYTES);
      return true;
    } catch (AEADBadTagException e) {
      return false;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GMAC failed", e);
    }
  }

  private static Cipher newCipher() {
    try {
      return Cipher.getInstance(TRANSFORMATION);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(TRANSFORMATION + " is not available in this JVM", e);
    }
  }
}
