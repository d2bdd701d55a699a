package dev.codec.server;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** Test-side crypto written independently of the server code, from the documented definitions. */
public final class LegacyTestCrypto {
  private LegacyTestCrypto() {}

  /**
   * The documented KEK fingerprint: hex of HKDF-SHA256(IKM = KEK, salt empty, info "codec/v1
   * kek-fingerprint", L = 8), written out from RFC 5869 (one expand block).
   */
  public static String fingerprint(String kekBase64) throws Exception {
    return fingerprint(Base64.getDecoder().decode(kekBase64));
  }

  /** {@link #fingerprint(String)} of raw key bytes. */
  public static String fingerprint(byte[] kek) throws Exception {
    Mac extract = Mac.getInstance("HmacSHA256");
    extract.init(new SecretKeySpec(new byte[32], "HmacSHA256")); // empty salt = 32 zero bytes
    byte[] prk = extract.doFinal(kek);
    Mac expand = Mac.getInstance("HmacSHA256");
    expand.init(new SecretKeySpec(prk, "HmacSHA256"));
    expand.update("codec/v1 kek-fingerprint".getBytes(StandardCharsets.UTF_8));
    expand.update((byte) 1);
    return HexFormat.of().formatHex(expand.doFinal(), 0, 8);
  }

  /** The legacy Node codec's format: base64(iv[16] || ct || tag[16]), AES-256-GCM, no AAD. */
  public static String legacySeal(byte[] key, byte[] plaintext) throws Exception {
    byte[] iv = new byte[16];
    new SecureRandom().nextBytes(iv);
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
    byte[] sealed = cipher.doFinal(plaintext);
    byte[] out = new byte[16 + sealed.length];
    System.arraycopy(iv, 0, out, 0, 16);
    System.arraycopy(sealed, 0, out, 16, sealed.length);
    return Base64.getEncoder().encodeToString(out);
  }
}
