package dev.codec.server.crypto;

import static dev.codec.server.crypto.TestBytes.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The hand-written HKDF-SHA256 against RFC 5869's SHA-256 test vectors (appendix A.1 to A.3). */
class HkdfTest {
  @Test
  void rfc5869_case1_basic() {
    byte[] okm =
        Hkdf.derive(
            hex("000102030405060708090a0b0c"),
            hex("0b".repeat(22)),
            hex("f0f1f2f3f4f5f6f7f8f9"),
            42);
    assertArrayEquals(
        hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"),
        okm);
  }

  @Test
  void rfc5869_case2_longInputsAndOutput() {
    byte[] okm = Hkdf.derive(range(0x60, 80), range(0x00, 80), range(0xb0, 80), 82);
    assertArrayEquals(
        hex(
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
                + "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
                + "cc30c58179ec3e87c14c01d5c1f3434f1d87"),
        okm);
  }

  @Test
  void rfc5869_case3_emptySaltAndInfo() {
    byte[] okm = Hkdf.derive(new byte[0], hex("0b".repeat(22)), new byte[0], 42);
    assertArrayEquals(
        hex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"),
        okm);
  }

  @Test
  void deriveKey_labelsGiveDistinctKeys_andTheInputKeyIsUntouched() {
    SymmetricKey kek = SymmetricKey.random();
    byte[] before = kek.getEncoded();
    SymmetricKey grant = Hkdf.deriveKey(kek, Hkdf.GRANT_MAC_INFO);
    SymmetricKey seal = Hkdf.deriveKey(kek, Hkdf.REVISION_SEAL_INFO);

    assertNotEquals(
        HexFormat.of().formatHex(grant.getEncoded()), HexFormat.of().formatHex(seal.getEncoded()));
    assertNotEquals(HexFormat.of().formatHex(grant.getEncoded()), HexFormat.of().formatHex(before));
    assertArrayEquals(before, kek.getEncoded());
    assertArrayEquals(
        grant.getEncoded(), Hkdf.deriveKey(kek, Hkdf.GRANT_MAC_INFO).getEncoded(), "deterministic");
    assertFalse(Hkdf.GRANT_MAC_INFO.equals(Hkdf.REVISION_SEAL_INFO));
    assertEquals(32, grant.getEncoded().length);
  }

  @Test
  void derive_outOfRangeLength_isRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Hkdf.derive(new byte[0], new byte[32], new byte[0], 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> Hkdf.derive(new byte[0], new byte[32], new byte[0], 255 * 32 + 1));
  }

  private static byte[] range(int first, int length) {
    byte[] out = new byte[length];
    for (int i = 0; i < length; i++) {
      out[i] = (byte) (first + i);
    }
    return out;
  }
}
