package dev.codec.server.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.codec.server.LegacyTestCrypto;
import dev.codec.server.core.StoredVariable.Kind;
import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.KekRing;
import dev.codec.server.crypto.SymmetricKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DecryptAll's values as UTF-8 bytes ({@link CodecService#decryptAllUtf8}) and the rule both forms
 * of DecryptAll share for a plaintext that is not well-formed UTF-8: the variable is refused
 * exactly like one that does not decrypt (BAD_INPUT, INVALID_CIPHERTEXT, named), the whole call
 * fails, and no replacement character is ever returned. Legacy (Node codec) values included.
 */
class DecryptAllUtf8Test {
  private static final String PROJECT = "proj-a";
  private static final String GOOD = "good-s3cret";

  /** Plaintexts that are not UTF-8 (each refused by the strict decoder DecryptAll used before). */
  private static final List<byte[]> MALFORMED =
      List.of(
          new byte[] {(byte) 0xff},
          new byte[] {'a', (byte) 0x80},
          new byte[] {(byte) 0xc3, '('},
          new byte[] {(byte) 0xc0, (byte) 0xaf},
          new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
          new byte[] {'o', 'k', (byte) 0xe2, (byte) 0x82},
          new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80});

  private SymmetricKey kek;
  private EnvelopeCrypto crypto;
  private CodecService service;
  private String dek;

  @BeforeEach
  void setUp() throws Exception {
    kek = SymmetricKey.random();
    KekRing ring = KekRing.of(Map.of(1, kek), null);
    crypto = new EnvelopeCrypto(() -> ring);
    service =
        new CodecService(
            crypto,
            new DekCache(Duration.ofMinutes(5), 100),
            Limits.DEFAULTS,
            InputFormats.acceptingLegacy(crypto, true),
            AccessPolicy.OPEN,
            ValueFormatCounter.NONE);
    dek = service.generateDek(PROJECT).encoded();
  }

  @Test
  void decryptAllUtf8_keepsRequestOrder_decryptedBytes_andPlainValuesAsGiven() throws Exception {
    String unicode = "p\u00e4ss-\u20ac-\ud83d\udd11-\u5bc6";
    Map<String, String> secrets = new LinkedHashMap<>();
    secrets.put("Z_UNICODE", unicode);
    secrets.put("A_EMPTY", "");
    secrets.put("M_ASCII", GOOD);
    Map<String, String> encrypted = service.encrypt(PROJECT, dek, secrets);
    Map<String, StoredVariable> variables = new LinkedHashMap<>();
    variables.put("Z_UNICODE", secret(encrypted.get("Z_UNICODE")));
    variables.put("PLAIN", new StoredVariable(Kind.PLAIN, "visible"));
    variables.put("A_EMPTY", secret(encrypted.get("A_EMPTY")));
    variables.put("M_ASCII", secret(encrypted.get("M_ASCII")));

    DecryptedValues values = decryptAllUtf8(variables);

    assertEquals(4, values.size());
    assertEquals(List.of("Z_UNICODE", "PLAIN", "A_EMPTY", "M_ASCII"), names(values));
    assertArrayEquals(unicode.getBytes(StandardCharsets.UTF_8), values.utf8Value(0));
    assertNull(values.plainValue(0));
    assertEquals("visible", values.plainValue(1));
    assertNull(values.utf8Value(1));
    assertArrayEquals(new byte[0], values.utf8Value(2));
    assertArrayEquals(GOOD.getBytes(StandardCharsets.UTF_8), values.utf8Value(3));
    assertEquals(
        Map.of("Z_UNICODE", unicode, "PLAIN", "visible", "A_EMPTY", "", "M_ASCII", GOOD),
        values.toMap());
    assertEquals(values.toMap(), service.decryptAll(PROJECT, "", dek, variables));
    assertFalse(values.toString().contains(GOOD), values.toString());
  }

  @Test
  void destroy_zeroesTheDecryptedBytes_andLaterReadsThrow() throws Exception {
    DecryptedValues values =
        decryptAllUtf8(
            Map.of("K", secret(service.encrypt(PROJECT, dek, Map.of("K", GOOD)).get("K"))));
    byte[] bytes = values.utf8Value(0);

    values.destroy();

    assertArrayEquals(new byte[bytes.length], bytes);
    assertThrows(IllegalStateException.class, () -> values.utf8Value(0));
  }

  @Test
  void plaintextNotUtf8_isRefusedLikeATamperedValue_inBothForms_andNothingIsReturned()
      throws Exception {
    String good = service.encrypt(PROJECT, dek, Map.of("GOOD", GOOD)).get("GOOD");
    String tampered = tamper(service.encrypt(PROJECT, dek, Map.of("BAD", GOOD)).get("BAD"));
    String expected = refusal(Map.of("GOOD", secret(good), "BAD", secret(tampered))).getMessage();
    for (byte[] plaintext : MALFORMED) {
      Map<String, StoredVariable> variables = new LinkedHashMap<>();
      variables.put("GOOD", secret(good));
      variables.put("BAD", secret(encryptRaw("BAD", plaintext)));
      variables.put("PLAIN", new StoredVariable(Kind.PLAIN, "p"));

      RejectedRequestException e = refusal(variables);
      RejectedRequestException utf8 =
          assertThrows(RejectedRequestException.class, () -> decryptAllUtf8(variables));

      assertEquals(expected, e.getMessage());
      assertEquals(expected, utf8.getMessage());
      assertEquals(RejectedRequestException.Reason.BAD_INPUT, utf8.reason());
      assertEquals(ErrorReason.INVALID_CIPHERTEXT, utf8.error());
    }
    assertEquals(
        "variables[BAD]: cannot be decrypted (malformed, tampered with, from another project or"
            + " under another DEK)",
        expected);
  }

  @Test
  void legacyValues_decryptAsUtf8_andOneThatIsNotUtf8_isRefusedTheSameWay() throws Exception {
    byte[] plainDek = SymmetricKey.random().getEncoded();
    String legacyDek = LegacyTestCrypto.legacySeal(kek.getEncoded(), plainDek);
    String text = "legacy-\u00fcml\u00e4ut-\ud83d\ude00-value-of-some-length";
    String valid = LegacyTestCrypto.legacySeal(plainDek, text.getBytes(StandardCharsets.UTF_8));
    byte[] notUtf8 = "legacy-value-of-some-length-\u00ff".getBytes(StandardCharsets.ISO_8859_1);
    String invalid = LegacyTestCrypto.legacySeal(plainDek, notUtf8);

    DecryptedValues values =
        service
            .decryptAllUtf8(PROJECT, "", legacyDek, Map.of("OLD", secret(valid)), "", "", g -> {})
            .result();
    assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), values.utf8Value(0));

    Map<String, StoredVariable> variables =
        Map.of("OLD", secret(valid), "OLD_BAD", secret(invalid));
    RejectedRequestException e =
        assertThrows(
            RejectedRequestException.class,
            () -> service.decryptAllUtf8(PROJECT, "", legacyDek, variables, "", "", g -> {}));
    assertEquals(ErrorReason.INVALID_CIPHERTEXT, e.error());
    assertEquals(
        "variables[OLD_BAD]: cannot be decrypted (malformed, tampered with, from another project"
            + " or under another DEK)",
        e.getMessage());
    assertEquals(
        e.getMessage(),
        assertThrows(
                RejectedRequestException.class,
                () -> service.decryptAll(PROJECT, "", legacyDek, variables))
            .getMessage());
  }

  private DecryptedValues decryptAllUtf8(Map<String, StoredVariable> variables)
      throws RejectedRequestException {
    return service.decryptAllUtf8(PROJECT, "", dek, variables, "", "", g -> {}).result();
  }

  private RejectedRequestException refusal(Map<String, StoredVariable> variables) {
    return assertThrows(
        RejectedRequestException.class, () -> service.decryptAll(PROJECT, "", dek, variables));
  }

  /** An enc2 value of arbitrary plaintext bytes under the project's DEK. */
  private String encryptRaw(String name, byte[] plaintext) throws RejectedRequestException {
    SymmetricKey key = SymmetricKey.copyOf(service.decryptDek(PROJECT, dek));
    try {
      return crypto.valueCipher(PROJECT, key).encrypt(name, plaintext);
    } finally {
      key.destroy();
    }
  }

  private static String tamper(String encrypted) {
    int middle = encrypted.length() / 2;
    char flipped = encrypted.charAt(middle) == 'A' ? 'B' : 'A';
    return encrypted.substring(0, middle) + flipped + encrypted.substring(middle + 1);
  }

  private static List<String> names(DecryptedValues values) {
    List<String> names = new java.util.ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      names.add(values.name(i));
    }
    return names;
  }

  private static StoredVariable secret(String ciphertext) {
    return new StoredVariable(Kind.SECRET, ciphertext);
  }
}
