package dev.codec.server.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** Small byte helpers shared by the crypto tests. Raw JCE here is the independent reference. */
final class TestBytes {
  private static final HexFormat HEX = HexFormat.of();

  private TestBytes() {}

  static byte[] hex(String hex) {
    return HEX.parseHex(hex);
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** {@code length} bytes of a recognisable, non-random pattern. */
  static byte[] pattern(int length) {
    byte[] out = new byte[length];
    for (int i = 0; i < length; i++) {
      out[i] = (byte) (i * 31 + 7);
    }
    return out;
  }

  static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    byte[] out = new byte[length];
    int offset = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, out, offset, part.length);
      offset += part.length;
    }
    return out;
  }

  /** AES-GCM encryption with plain JCE and a caller-chosen IV: returns ct || tag (128-bit). */
  static byte[] jceEncrypt(byte[] key, byte[] iv, byte[] aad, byte[] plaintext)
      throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
    cipher.updateAAD(aad);
    return cipher.doFinal(plaintext);
  }

  /** AES-GCM decryption with plain JCE of iv || ct || tag. */
  static byte[] jceDecrypt(byte[] key, byte[] sealed, int ivLength, byte[] aad)
      throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(
        Cipher.DECRYPT_MODE,
        new SecretKeySpec(key, "AES"),
        new GCMParameterSpec(128, sealed, 0, ivLength));
    cipher.updateAAD(aad);
    return cipher.doFinal(sealed, ivLength, sealed.length - ivLength);
  }
}
