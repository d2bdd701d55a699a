package dev.codec.server.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.EnvelopeCrypto.ValueCipher;
import dev.codec.server.crypto.InvalidCiphertextException;
import dev.codec.server.crypto.KekRing;
import dev.codec.server.crypto.SymmetricKey;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The input-format strategy: what each one refuses (and how it names it), unwraps and decrypts. */
class InputFormatsTest {
  private static final String PROJECT = "proj-formats";

  private final EnvelopeCrypto crypto = new EnvelopeCrypto(InputFormatsTest::ring);
  private final String legacyDek = base64(64); // iv[16] || DEK[32] || tag[16]
  private final String legacyValue = base64(40); // iv[16] || 8 bytes || tag[16]
  private final String enc1Value = "enc1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

  @Test
  void strict_refusesALegacyWrappedDek_namingTheField_andAcceptingLegacyLetsItThrough()
      throws Exception {
    RejectedRequestException e =
        assertThrows(
            RejectedRequestException.class,
            () -> InputFormats.strict(crypto, true).checkWrappedDek("encrypted_dek", legacyDek));
    assertEquals(RejectedRequestException.Reason.LEGACY_DISABLED, e.reason());
    assertEquals("LEGACY_INPUT_DISABLED", e.errorReason());
    assertEquals(
        "encrypted_dek: legacy input is disabled (codec.legacy.accept=false)", e.getMessage());
    assertEquals("encrypted_dek", e.violations().get(0).field());

    InputFormats.acceptingLegacy(crypto, true).checkWrappedDek("encrypted_dek", legacyDek);
    InputFormats.strict(crypto, true)
        .checkWrappedDek("encrypted_dek", crypto.generateWrappedDek(PROJECT).encoded());
  }

  @Test
  void checkValues_namesEveryRefusedVariable_sorted_legacyBeforeEnc1() {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("ZED", legacyValue);
    values.put("ALPHA", legacyValue);
    values.put("OLD", enc1Value);
    InputFormats strictNoEnc1 = InputFormats.strict(crypto, false);

    RejectedRequestException legacy =
        assertThrows(
            RejectedRequestException.class,
            () -> strictNoEnc1.checkValues("variables", values, false));
    assertEquals(
        "variables[ALPHA, ZED]: legacy input is disabled (codec.legacy.accept=false)",
        legacy.getMessage());
    assertEquals("LEGACY_INPUT_DISABLED", legacy.errorReason());

    values.remove("ZED");
    values.remove("ALPHA");
    RejectedRequestException enc1 =
        assertThrows(
            RejectedRequestException.class,
            () -> strictNoEnc1.checkValues("variables", values, false));
    assertEquals(RejectedRequestException.Reason.ENC1_DISABLED, enc1.reason());
    assertTrue(
        enc1.getMessage().startsWith("variables[OLD]: enc1 input is disabled"), enc1.getMessage());
  }

  @Test
  void checkValues_forRotation_readsEnc1_butStillRefusesLegacyWhenStrict() throws Exception {
    InputFormats.strict(crypto, false).checkValues("encrypted", Map.of("OLD", enc1Value), true);
    assertThrows(
        RejectedRequestException.class,
        () ->
            InputFormats.strict(crypto, false)
                .checkValues("encrypted", Map.of("L", legacyValue), true));
    InputFormats.acceptingLegacy(crypto, false)
        .checkValues("encrypted", Map.of("L", legacyValue), true);
  }

  @Test
  void checkValue_oneField_legacyThenEnc1() {
    RejectedRequestException e =
        assertThrows(
            RejectedRequestException.class,
            () -> InputFormats.strict(crypto, false).checkValue("encrypted", enc1Value));
    assertEquals("ENC1_INPUT_DISABLED", e.errorReason());
    assertEquals("encrypted", e.violations().get(0).field());
    assertEquals(
        "LEGACY_INPUT_DISABLED",
        assertThrows(
                RejectedRequestException.class,
                () -> InputFormats.strict(crypto, true).checkValue("encrypted", legacyValue))
            .errorReason());
  }

  @Test
  void decrypt_readsEnc2BoundToItsName_countsItsFormat_andStrictNeverReadsLegacy()
      throws Exception {
    SymmetricKey dek = SymmetricKey.random();
    ValueCipher cipher = crypto.valueCipher(PROJECT, dek);
    String enc2 = cipher.encrypt("API_KEY", "v".getBytes(StandardCharsets.UTF_8));
    InputFormats.FormatCounts counts = new InputFormats.FormatCounts();

    assertArrayEquals(
        "v".getBytes(StandardCharsets.UTF_8),
        InputFormats.strict(crypto, true).decrypt(cipher, "API_KEY", enc2, counts));
    assertEquals(1, counts.enc2);
    assertThrows(
        InvalidCiphertextException.class,
        () -> InputFormats.strict(crypto, true).decrypt(cipher, "OTHER_NAME", enc2, counts));
    assertThrows(
        InvalidCiphertextException.class,
        () -> InputFormats.strict(crypto, true).decrypt(cipher, "L", legacyValue, counts));
    assertThrows(
        InvalidCiphertextException.class, // legacy-shaped, but not under this DEK
        () -> InputFormats.acceptingLegacy(crypto, true).decrypt(cipher, "L", legacyValue, counts));
    assertEquals(0, counts.legacy);
    assertEquals(1, counts.enc2);
  }

  @Test
  void acceptsLegacy_isDecidedByTheStrategy() {
    assertFalse(InputFormats.of(crypto, false, true).acceptsLegacy());
    assertTrue(InputFormats.of(crypto, true, true).acceptsLegacy());
  }

  private static final KekRing RING = newRing();

  private static KekRing ring() {
    return RING;
  }

  private static KekRing newRing() {
    try {
      return KekRing.of(Map.of(1, SymmetricKey.random()), null);
    } catch (dev.codec.server.crypto.KekLoadException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String base64(int bytes) {
    byte[] random = new byte[bytes];
    new SecureRandom().nextBytes(random);
    return Base64.getEncoder().encodeToString(random);
  }
}
