package dev.codec.server.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A non-secret fingerprint of a KEK, so operators can check that every pod loaded the same key for
 * a version without seeing the key:
 *
 * <pre>
 *   hex( HKDF-SHA256( IKM = KEK, salt empty, info "codec/v1 kek-fingerprint", L = 8 ) )
 * </pre>
 *
 * A key derived for this purpose only (not a MAC keyed with the KEK itself, so the KEK is used for
 * one thing: wrapping DEKs), and one-way, so the fingerprint gives no shortcut for guessing the
 * key. Fingerprints are shown (Status, log lines), never stored: changing this derivation changed
 * them.
 */
public final class KekFingerprint {
  static final String INFO = "codec/v1 kek-fingerprint";
  static final int BYTES = 8;

  private KekFingerprint() {}

  /** The fingerprint of {@code kek}: 16 lowercase hex characters. */
  public static String of(SymmetricKey kek) {
    byte[] raw = kek.getEncoded();
    try {
      byte[] fingerprint =
          Hkdf.derive(new byte[0], raw, INFO.getBytes(StandardCharsets.UTF_8), BYTES);
      return HexFormat.of().formatHex(fingerprint);
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }
}
