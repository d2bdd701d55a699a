package dev.codec.server.crypto;

import static dev.codec.server.crypto.TestBytes.concat;
import static dev.codec.server.crypto.TestBytes.hex;
import static dev.codec.server.crypto.TestBytes.jceDecrypt;
import static dev.codec.server.crypto.TestBytes.jceEncrypt;
import static dev.codec.server.crypto.TestBytes.pattern;
import static dev.codec.server.crypto.TestBytes.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Base64;
import java.util.stream.IntStream;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AesGcmTest {
  private static final byte[] AAD = utf8("enc1:project-a");
  private final SymmetricKey key = SymmetricKey.random();

  static IntStream plaintextSizes() {
    return IntStream.concat(IntStream.rangeClosed(0, 100), IntStream.of(65536));
  }

  @ParameterizedTest(name = "{0} bytes")
  @MethodSource("plaintextSizes")
  void seal_thenOpen_returnsPlaintext(int size) throws Exception {
    byte[] plaintext = pattern(size);

    byte[] sealed = AesGcm.seal(key, plaintext, AAD);

    assertEquals(12 + size + 16, sealed.length);
    assertEquals(AesGcm.sealedLength(size), sealed.length);
    assertArrayEquals(plaintext, AesGcm.open(key, sealed, AAD, AesGcm.NONCE_BYTES));
  }

  @Test
  void seal_layoutIsNonceThenCiphertextThenTag_asReadByPlainJce() throws Exception {
    byte[] plaintext = utf8("layout check");

    byte[] sealed = AesGcm.seal(key, plaintext, AAD);

    assertArrayEquals(plaintext, jceDecrypt(key.getEncoded(), sealed, 12, AAD));
  }

  @Test
  void seal_samePlaintextTwice_usesDifferentNoncesAndCiphertexts() {
    byte[] plaintext = utf8("same input");

    byte[] first = AesGcm.seal(key, plaintext, AAD);
    byte[] second = AesGcm.seal(key, plaintext, AAD);

    assertFalse(Arrays.equals(nonceOf(first), nonceOf(second)), "nonces must be random");
    assertFalse(Arrays.equals(first, second));
  }

  @Test
  void open_wrongKey_isRejected() {
    byte[] sealed = AesGcm.seal(key, utf8("secret"), AAD);

    assertRejected(SymmetricKey.random(), sealed, AAD);
  }

  @Test
  void open_wrongAad_isRejected() {
    byte[] sealed = AesGcm.seal(key, utf8("secret"), AAD);

    assertRejected(key, sealed, utf8("enc1:project-b"));
    assertRejected(key, sealed, new byte[0]);
  }

  @Test
  void open_everySingleBitFlip_isRejected() {
    byte[] sealed = AesGcm.seal(key, utf8("bit flips"), AAD);

    for (int i = 0; i < sealed.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] mutated = sealed.clone();
        mutated[i] ^= (byte) (1 << bit);
        assertRejected(key, mutated, AAD);
      }
    }
  }

  @Test
  void open_everyTruncation_isRejected() {
    byte[] sealed = AesGcm.seal(key, utf8("truncate me"), AAD);

    for (int length = 0; length < sealed.length; length++) {
      assertRejected(key, Arrays.copyOf(sealed, length), AAD);
    }
  }

  @Test
  void open_extraTrailingByte_isRejected() {
    byte[] sealed = AesGcm.seal(key, utf8("extend me"), AAD);

    assertRejected(key, Arrays.copyOf(sealed, sealed.length + 1), AAD);
  }

  @Test
  void open_legacySixteenByteNonce_opensMessageSealedByPlainJce() throws Exception {
    byte[] iv = pattern(16);
    byte[] plaintext = utf8("sealed by the legacy codec");
    byte[] sealed = concat(iv, jceEncrypt(key.getEncoded(), iv, new byte[0], plaintext));

    assertArrayEquals(plaintext, AesGcm.open(key, sealed, new byte[0], AesGcm.LEGACY_NONCE_BYTES));
    assertRejected(key, sealed, new byte[0]); // read with a 12-byte nonce it does not authenticate
  }

  /**
   * From ../shared/vectors/seed-legacy-public.json: the first project's encryptedDEK under the KEK.
   */
  @Test
  void open_legacySeedVector_unwrapsPublishedDek() throws Exception {
    SymmetricKey kek = SymmetricKey.copyOf(base64("mU0dipQsXZvij3dJCSIKbBLNx8lZhsnMyMVUFBLFbVs="));
    byte[] encryptedDek =
        base64(
            "rEjzRQza9HjSvo/lfTz3ILKMNhWs7bEGK6Zw2pRK4wQ5bJD0tqW0O2bzrigW7+p2HL9iadOh+uXlOduy9dw7Ag==");

    byte[] dek = AesGcm.open(kek, encryptedDek, new byte[0], AesGcm.LEGACY_NONCE_BYTES);

    assertArrayEquals(base64("PdXZMXkNryS3ABvn52V1AEsTlNMXo+yfbwUu5CAnxoI="), dek);
  }

  // ---- Known answers: Wycheproof, C2SP/wycheproof testvectors_v1/aes_gcm_test.json, test group
  // ivSize 96, keySize 256, tagSize 128 (commit 6fc4a87a4c4e2264b2f0d6862bbd900b5b25717e).

  record Vector(
      int tcId,
      String key,
      String iv,
      String aad,
      String msg,
      String ct,
      String tag,
      boolean valid) {
    byte[] sealed() {
      return concat(hex(iv), hex(ct), hex(tag));
    }

    @Override
    public String toString() {
      return "tcId " + tcId + (valid ? " (valid)" : " (invalid)");
    }
  }

  static Vector[] wycheproofVectors() {
    return new Vector[] {
      // tcId 116: Pseudorandom, with associated data
      new Vector(
          116,
          "0f112e59cdccd851c3b8e76c9f05a3b7c2e4feca5846afeb351c1cbcace82f04",
          "7147973339d86789a2c9a958",
          "37128be45f0a7f329546e1492c3c9c2d2534d5b1f5147e49ab91221e7c3edea2"
              + "1bbe47bfe3619437ce3c61e6e946c504f348296918219e51bf2c5598589cff",
          "102e5804dda1fb5d656077edb15cadb5d0bdee8c",
          "618ac626ae0e8d06c2fd2fb66be253dc26ed6e38",
          "d8d93ff975cb988f09174dcd439cb6a4",
          true),
      // tcId 128: SpecialCase (all-ones tag)
      new Vector(
          128,
          "00112233445566778899aabbccddeeff102132435465768798a9bacbdcedfe0f",
          "000000000000000000000000",
          "",
          "561008fa07a68f5c61285cd013464eaf",
          "23293e9b07ca7d1b0cae7cc489a973b3",
          "ffffffffffffffffffffffffffffffff",
          true),
      // tcId 129: SpecialCase (all-zero tag)
      new Vector(
          129,
          "00112233445566778899aabbccddeeff102132435465768798a9bacbdcedfe0f",
          "ffffffffffffffffffffffff",
          "",
          "c6152244cea1978d3e0bc274cf8c0b3b",
          "7cb6fc7c6abc009efe9551a99f36a421",
          "00000000000000000000000000000000",
          true),
      // tcId 130: ModifiedTag, "Flipped bit 0 in tag"
      new Vector(
          130,
          "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
          "505152535455565758595a5b",
          "",
          "202122232425262728292a2b2c2d2e2f",
          "b2061457c0759fc1749f174ee1ccadfa",
          "9de8fef6d8ab1bf1bf887232eab590dd",
          false),
      // tcId 153: ModifiedTag, "Tag changed to all zero"
      new Vector(
          153,
          "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
          "505152535455565758595a5b",
          "",
          "202122232425262728292a2b2c2d2e2f",
          "b2061457c0759fc1749f174ee1ccadfa",
          "00000000000000000000000000000000",
          false),
    };
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wycheproofVectors")
  void open_wycheproofVector_matchesExpectedResult(Vector v) throws Exception {
    SecretKey vectorKey = new SecretKeySpec(hex(v.key()), "AES");
    if (v.valid()) {
      assertArrayEquals(
          hex(v.msg()), AesGcm.open(vectorKey, v.sealed(), hex(v.aad()), AesGcm.NONCE_BYTES));
    } else {
      assertThrows(
          InvalidCiphertextException.class,
          () -> AesGcm.open(vectorKey, v.sealed(), hex(v.aad()), AesGcm.NONCE_BYTES));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wycheproofVectors")
  void plainJceEncryption_withVectorNonce_matchesOrDiffersAsExpected(Vector v) throws Exception {
    byte[] expected = concat(hex(v.ct()), hex(v.tag()));

    byte[] actual = jceEncrypt(hex(v.key()), hex(v.iv()), hex(v.aad()), hex(v.msg()));

    assertEquals(v.valid(), Arrays.equals(expected, actual));
    // What JCE seals with the vector's nonce, AesGcm.open must open: same layout, same algorithm.
    byte[] sealedByJce = concat(hex(v.iv()), actual);
    assertArrayEquals(
        hex(v.msg()),
        AesGcm.open(
            new SecretKeySpec(hex(v.key()), "AES"), sealedByJce, hex(v.aad()), AesGcm.NONCE_BYTES));
  }

  private static byte[] nonceOf(byte[] sealed) {
    return Arrays.copyOf(sealed, AesGcm.NONCE_BYTES);
  }

  private static byte[] base64(String text) {
    return Base64.getDecoder().decode(text);
  }

  @Test
  void gmac_matchesTheGcmSpecsAes256VectorWithoutPlaintext() {
    // McGrew & Viega, "The Galois/Counter Mode of Operation", test case 13: K = 0^256, IV = 0^96,
    // no plaintext, no associated data: T = 530f8afbc74536b9a963b4f1c4cb738b
    SymmetricKey zero = SymmetricKey.copyOf(new byte[32]);
    javax.crypto.Cipher cipher = AesGcm.startGmac(zero, new byte[12], 0, false);
    assertArrayEquals(hex("530f8afbc74536b9a963b4f1c4cb738b"), AesGcm.gmacTag(cipher));
  }

  @Test
  void gmac_verifiesItsOwnTag_andRefusesAnyChangedByteOfTagNonceOrData() {
    byte[] nonce = pattern(12);
    byte[] data = pattern(300);
    javax.crypto.Cipher making = AesGcm.startGmac(key, nonce, 0, false);
    making.updateAAD(data);
    byte[] tag = AesGcm.gmacTag(making);

    assertEquals(AesGcm.TAG_BYTES, tag.length);
    javax.crypto.Cipher again = AesGcm.startGmac(key, nonce, 0, true);
    again.updateAAD(data, 0, 100);
    again.updateAAD(data, 100, 200);
    assertEquals(true, AesGcm.gmacMatches(again, tag, 0), "the same data in parts");
    for (int i = 0; i < tag.length; i++) {
      byte[] changed = tag.clone();
      changed[i] ^= 1;
      javax.crypto.Cipher check = AesGcm.startGmac(key, nonce, 0, true);
      check.updateAAD(data);
      assertFalse(AesGcm.gmacMatches(check, changed, 0), "tag byte " + i);
    }
    for (int i = 0; i < nonce.length; i++) {
      byte[] changed = nonce.clone();
      changed[i] ^= 1;
      javax.crypto.Cipher check = AesGcm.startGmac(key, changed, 0, true);
      check.updateAAD(data);
      assertFalse(AesGcm.gmacMatches(check, tag, 0), "nonce byte " + i);
    }
    for (int i = 0; i < data.length; i += 7) {
      byte[] changed = data.clone();
      changed[i] ^= (byte) 0x80;
      javax.crypto.Cipher check = AesGcm.startGmac(key, nonce, 0, true);
      check.updateAAD(changed);
      assertFalse(AesGcm.gmacMatches(check, tag, 0), "data byte " + i);
    }
    javax.crypto.Cipher otherKey = AesGcm.startGmac(SymmetricKey.random(), nonce, 0, true);
    otherKey.updateAAD(data);
    assertFalse(AesGcm.gmacMatches(otherKey, tag, 0), "another key");
  }

  private static void assertRejected(SecretKey key, byte[] sealed, byte[] aad) {
    assertThrows(
        InvalidCiphertextException.class, () -> AesGcm.open(key, sealed, aad, AesGcm.NONCE_BYTES));
  }
}
