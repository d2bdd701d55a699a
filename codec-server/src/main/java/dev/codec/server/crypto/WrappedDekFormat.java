package dev.codec.server.crypto;

import java.nio.charset.StandardCharsets;

/**
 * Text format of a DEK wrapped under a KEK, version 1.
 *
 * <pre>
 *   "dek1:k" + decimal KEK version + ":" + base64( nonce[12] || AES-GCM(KEK, DEK[32]) [32] || tag[16] )
 *   e.g. dek1:k3:AAECAwQFBgcICQoL...  (80 base64 characters for the 60 bytes)
 *   associated data = UTF-8( "dek1:k" + version + ":" + project_id )
 * </pre>
 *
 * The associated data repeats the whole prefix, so the format version and KEK version cannot be
 * altered, and appends the project id, so a wrapped DEK only unwraps for the project it was made
 * for.
 */
final class WrappedDekFormat {
  static final String PREFIX = "dek1:k";

  /** Bytes inside the base64: nonce, encrypted DEK, tag. */
  static final int SEALED_BYTES = AesGcm.sealedLength(SymmetricKey.KEY_BYTES);

  private static final int MAX_VERSION_DIGITS = 9;

  /**
   * A parsed wrapped DEK: its KEK version, its sealed bytes and the prefix that is part of its AAD.
   */
  static final class Parsed { // a class, not a record: a record would compare its array by identity
    private final int kekVersion;
    private final byte[] sealed;
    private final String prefix;

    Parsed(int kekVersion, byte[] sealed, String prefix) {
      this.kekVersion = kekVersion;
      this.sealed = sealed;
      this.prefix = prefix;
    }

    int kekVersion() {
      return kekVersion;
    }

    byte[] sealed() {
      return sealed;
    }

    String prefix() {
      return prefix;
    }
  }

  private WrappedDekFormat() {}

  static String prefix(int kekVersion) {
    return PREFIX + kekVersion + ":";
  }

  static byte[] associatedData(String prefix, String projectId) {
    return (prefix + projectId).getBytes(StandardCharsets.UTF_8);
  }

  static String encode(String prefix, byte[] sealed) {
    return StrictBase64.encode(prefix, sealed);
  }

  static boolean looksLikeCurrentFormat(String text) {
    return text.startsWith(PREFIX);
  }

  static Parsed parse(String text) throws InvalidCiphertextException {
    if (!text.startsWith(PREFIX)) {
      throw new InvalidCiphertextException();
    }
    int versionStart = PREFIX.length();
    int colon = text.indexOf(':', versionStart);
    int digits = colon - versionStart;
    if (colon < 0
        || digits < 1
        || digits > MAX_VERSION_DIGITS
        || text.charAt(versionStart) == '0') {
      throw new InvalidCiphertextException();
    }
    int version = 0;
    for (int i = versionStart; i < colon; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        throw new InvalidCiphertextException();
      }
      version = version * 10 + (c - '0');
    }
    byte[] sealed = StrictBase64.decode(text, colon + 1);
    if (sealed.length != SEALED_BYTES) {
      throw new InvalidCiphertextException();
    }
    return new Parsed(version, sealed, text.substring(0, colon + 1));
  }
}
