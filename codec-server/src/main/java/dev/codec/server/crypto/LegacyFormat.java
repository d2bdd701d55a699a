package dev.codec.server.crypto;

/**
 * The format of the earlier Node codec, accepted for decryption only (never produced).
 *
 * <pre>
 *   base64( iv[16] || AES-256-GCM ciphertext [n] || tag[16] )      no prefix, no associated data
 *   wrapped DEK: n = 32 (64 bytes, 88 characters), under one of the KEKs (which one is not recorded)
 *   value:       n = length of the UTF-8 plaintext (at least 32 bytes in all)
 * </pre>
 *
 * Standard padded base64 never contains ':', while every current format has a prefix with ':', so
 * the two can never be confused. Without associated data a legacy ciphertext is not bound to its
 * project: that is why it is only accepted while migrating.
 */
public final class LegacyFormat {
  /** Bytes inside a legacy wrapped DEK: iv, encrypted DEK, tag. */
  static final int WRAPPED_DEK_BYTES =
      AesGcm.LEGACY_NONCE_BYTES + SymmetricKey.KEY_BYTES + AesGcm.TAG_BYTES;

  /** The shortest legacy value: iv and tag around an empty plaintext. */
  static final int MIN_VALUE_BYTES = AesGcm.LEGACY_NONCE_BYTES + AesGcm.TAG_BYTES;

  private LegacyFormat() {}

  /**
   * Whether {@code text} is a plausible legacy wrapped DEK: no ':', canonical base64 of 64 bytes.
   */
  public static boolean isWrappedDek(String text) {
    return text.indexOf(':') < 0 && decodedLength(text) == WRAPPED_DEK_BYTES;
  }

  /**
   * Whether {@code text} is a plausible legacy value: no ':', canonical base64 of at least 32
   * bytes.
   */
  public static boolean isValue(String text) {
    return text.indexOf(':') < 0 && decodedLength(text) >= MIN_VALUE_BYTES;
  }

  static byte[] parseWrappedDek(String text) throws InvalidCiphertextException {
    byte[] sealed = decode(text);
    if (sealed.length != WRAPPED_DEK_BYTES) {
      throw new InvalidCiphertextException();
    }
    return sealed;
  }

  static byte[] parseValue(String text) throws InvalidCiphertextException {
    byte[] sealed = decode(text);
    if (sealed.length < MIN_VALUE_BYTES) {
      throw new InvalidCiphertextException();
    }
    return sealed;
  }

  private static byte[] decode(String text) throws InvalidCiphertextException {
    if (text.indexOf(':') >= 0) {
      throw new InvalidCiphertextException();
    }
    return StrictBase64.decode(text, 0);
  }

  private static int decodedLength(String text) {
    try {
      return decode(text).length;
    } catch (InvalidCiphertextException e) {
      return -1;
    }
  }
}
