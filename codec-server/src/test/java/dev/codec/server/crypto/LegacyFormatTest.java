package dev.codec.server.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.server.LegacyTestCrypto;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which texts count as legacy, and legacy unwrap / decrypt in the crypto core. */
class LegacyFormatTest {
  @Test
  void wrappedDek_isExactly64BytesOfCanonicalBase64WithoutColon() {
    assertTrue(LegacyFormat.isWrappedDek(base64(64)));
    assertFalse(LegacyFormat.isWrappedDek(base64(63)));
    assertFalse(LegacyFormat.isWrappedDek(base64(65)));
    assertFalse(LegacyFormat.isWrappedDek("dek1:k1:" + base64(60)));
    assertFalse(LegacyFormat.isWrappedDek(base64(64).replace('=', 'A').substring(1)));
    assertFalse(LegacyFormat.isWrappedDek("not a key"));
    assertFalse(LegacyFormat.isWrappedDek(""));
  }

  @Test
  void value_isAtLeast32BytesOfCanonicalBase64WithoutColon() {
    assertTrue(LegacyFormat.isValue(base64(32)));
    assertTrue(LegacyFormat.isValue(base64(4096)));
    assertFalse(LegacyFormat.isValue(base64(31)));
    assertFalse(LegacyFormat.isValue("enc1:" + base64(40)));
    assertFalse(LegacyFormat.isValue("bm90IGEga2V5"));
    assertFalse(LegacyFormat.isValue(base64(40).replace("=", "")));
  }

  @Test
  void unwrapLegacy_triesEveryLoadedKek_andDecryptsLegacyValues() throws Exception {
    SymmetricKey one = SymmetricKey.random();
    SymmetricKey two = SymmetricKey.random();
    SymmetricKey dek = SymmetricKey.random();
    String wrapped = LegacyTestCrypto.legacySeal(one.getEncoded(), dek.getEncoded());
    String value =
        LegacyTestCrypto.legacySeal(dek.getEncoded(), "hello".getBytes(StandardCharsets.UTF_8));
    EnvelopeCrypto crypto = new EnvelopeCrypto(() -> ringOf(Map.of(1, one, 2, two)));

    SymmetricKey unwrapped = crypto.unwrapLegacy(wrapped);

    assertArrayEquals(dek.getEncoded(), unwrapped.getEncoded());
    assertEquals(
        "hello",
        new String(
            crypto.valueCipher("any-project", unwrapped).decryptLegacy(value),
            StandardCharsets.UTF_8));
    EnvelopeCrypto withoutThatKek = new EnvelopeCrypto(() -> ringOf(Map.of(2, two)));
    assertThrows(InvalidCiphertextException.class, () -> withoutThatKek.unwrapLegacy(wrapped));
    assertThrows(
        InvalidCiphertextException.class,
        () -> crypto.valueCipher("p", SymmetricKey.random()).decryptLegacy(value));
    assertThrows(
        InvalidCiphertextException.class,
        () -> crypto.valueCipher("p", unwrapped).decrypt(value),
        "legacy text is not an enc1: value");
  }

  private static KekRing ringOf(Map<Integer, SymmetricKey> keys) {
    try {
      return KekRing.of(keys, null);
    } catch (KekLoadException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String base64(int bytes) {
    return Base64.getEncoder().encodeToString(new byte[bytes]);
  }
}
