package dev.codec.server.crypto;

import static dev.codec.server.crypto.TestBytes.concat;
import static dev.codec.server.crypto.TestBytes.jceEncrypt;
import static dev.codec.server.crypto.TestBytes.pattern;
import static dev.codec.server.crypto.TestBytes.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.codec.server.crypto.EnvelopeCrypto.ValueCipher;
import dev.codec.server.crypto.EnvelopeCrypto.WrappedDek;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class EnvelopeCryptoTest {
  private static final String PROJECT = "project-a";
  private static final String OTHER_PROJECT = "project-b";

  /**
   * Replacement characters for mutation tests: the base64 alphabet, padding, the prefix separator
   * and a few strays.
   */
  private static final String MUTATIONS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=:-_. \n\u00e9";

  private final SymmetricKey kek1 = SymmetricKey.random();
  private final EnvelopeCrypto crypto = cryptoOver(ring(Map.of(1, kek1), null));

  // ---- wrapped DEKs

  @Test
  void unwrap_ofWrap_returnsTheSameKey() throws Exception {
    SymmetricKey dek = SymmetricKey.random();

    WrappedDek wrapped = crypto.wrap(PROJECT, dek);

    assertArrayEquals(dek.getEncoded(), crypto.unwrap(PROJECT, wrapped.encoded()).getEncoded());
  }

  @Test
  void generateWrappedDek_formatIsPrefixWithActiveVersionThen80Base64Chars() throws Exception {
    EnvelopeCrypto underVersion3 =
        cryptoOver(ring(Map.of(1, SymmetricKey.random(), 3, SymmetricKey.random()), null));

    WrappedDek wrapped = underVersion3.generateWrappedDek(PROJECT);

    assertEquals(3, wrapped.kekVersion());
    assertTrue(wrapped.encoded().startsWith("dek1:k3:"), wrapped.encoded());
    String body = wrapped.encoded().substring("dek1:k3:".length());
    assertEquals(80, body.length());
    assertEquals(12 + 32 + 16, Base64.getDecoder().decode(body).length);
    assertEquals(32, underVersion3.unwrap(PROJECT, wrapped.encoded()).getEncoded().length);
  }

  @Test
  void generateWrappedDek_twice_givesDifferentDeks() throws Exception {
    byte[] first =
        crypto.unwrap(PROJECT, crypto.generateWrappedDek(PROJECT).encoded()).getEncoded();
    byte[] second =
        crypto.unwrap(PROJECT, crypto.generateWrappedDek(PROJECT).encoded()).getEncoded();

    assertFalse(Arrays.equals(first, second));
  }

  @Test
  void unwrap_wrongProject_isRejected() {
    String wrapped = crypto.generateWrappedDek(PROJECT).encoded();

    assertThrows(InvalidCiphertextException.class, () -> crypto.unwrap(OTHER_PROJECT, wrapped));
    assertThrows(InvalidCiphertextException.class, () -> crypto.unwrap(PROJECT + "x", wrapped));
    assertThrows(InvalidCiphertextException.class, () -> crypto.unwrap("", wrapped));
  }

  @Test
  void unwrap_underAnotherRingWithTheSameVersion_isRejected() {
    String wrapped = crypto.generateWrappedDek(PROJECT).encoded();
    EnvelopeCrypto otherRing = cryptoOver(ring(Map.of(1, SymmetricKey.random()), null));

    assertThrows(InvalidCiphertextException.class, () -> otherRing.unwrap(PROJECT, wrapped));
  }

  @Test
  void unwrap_unknownKekVersion_throwsCarryingTheVersion() {
    EnvelopeCrypto withVersion7 = cryptoOver(ring(Map.of(1, kek1, 7, SymmetricKey.random()), null));
    String wrapped = withVersion7.generateWrappedDek(PROJECT).encoded();

    UnknownKekVersionException e =
        assertThrows(UnknownKekVersionException.class, () -> crypto.unwrap(PROJECT, wrapped));

    assertEquals(7, e.version());
    assertTrue(e.getMessage().contains("7"), e.getMessage());
  }

  @Test
  void unwrap_everySingleCharacterMutation_isRejected() {
    String wrapped = crypto.generateWrappedDek(PROJECT).encoded();

    forEachSingleCharacterMutation(wrapped, mutated -> assertUnwrapRejected(crypto, mutated));
  }

  @Test
  void unwrap_everyTruncationAndExtension_isRejected() {
    String wrapped = crypto.generateWrappedDek(PROJECT).encoded();

    for (int length = 0; length < wrapped.length(); length++) {
      assertUnwrapRejected(crypto, wrapped.substring(0, length));
    }
    for (String suffix : new String[] {"=", "A", "AAAA", "\n", " "}) {
      assertUnwrapRejected(crypto, wrapped + suffix);
    }
  }

  @Test
  void unwrap_versionChangedToAnotherLoadedVersion_isRejected() {
    EnvelopeCrypto twoVersions = cryptoOver(ring(Map.of(1, kek1, 2, SymmetricKey.random()), 1));
    String wrapped = twoVersions.generateWrappedDek(PROJECT).encoded();

    assertThrows(
        InvalidCiphertextException.class,
        () -> twoVersions.unwrap(PROJECT, wrapped.replaceFirst("^dek1:k1:", "dek1:k2:")));
  }

  @Test
  void unwrap_versionChanged_isRejectedEvenWhenBothVersionsHoldTheSameKey() {
    // Only the associated data (which repeats the prefix) can catch this.
    EnvelopeCrypto sameKeyTwice = cryptoOver(ring(Map.of(1, kek1, 2, kek1), 1));
    String wrapped = sameKeyTwice.generateWrappedDek(PROJECT).encoded();

    assertThrows(
        InvalidCiphertextException.class,
        () -> sameKeyTwice.unwrap(PROJECT, wrapped.replaceFirst("^dek1:k1:", "dek1:k2:")));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "dek1:k01:",
        "dek1:k-1:",
        "dek1:k:",
        "dek1:k1234567890:",
        "dek2:k1:",
        "DEK1:k1:",
        "dek1:K1:"
      })
  void unwrap_malformedPrefix_isRejected(String prefix) {
    String body = crypto.generateWrappedDek(PROJECT).encoded().substring("dek1:k1:".length());

    assertThrows(InvalidCiphertextException.class, () -> crypto.unwrap(PROJECT, prefix + body));
  }

  /** Sealed correctly under the KEK and the documented AAD, but not holding a 32-byte key. */
  @ParameterizedTest
  @ValueSource(ints = {0, 16, 31, 33, 48})
  void unwrap_authenticPayloadOfWrongLength_isRejected(int length) {
    byte[] sealed = AesGcm.seal(kek1, pattern(length), utf8("dek1:k1:" + PROJECT));
    String wrapped = "dek1:k1:" + Base64.getEncoder().encodeToString(sealed);

    assertThrows(InvalidCiphertextException.class, () -> crypto.unwrap(PROJECT, wrapped));
  }

  @Test
  void unwrap_documentedAssociatedData_isPrefixThenProjectId() throws Exception {
    byte[] dek = pattern(32);
    byte[] sealed = AesGcm.seal(kek1, dek, utf8("dek1:k1:" + PROJECT));

    SymmetricKey unwrapped =
        crypto.unwrap(PROJECT, "dek1:k1:" + Base64.getEncoder().encodeToString(sealed));

    assertArrayEquals(dek, unwrapped.getEncoded());
  }

  @Test
  void unwrap_legacyWrappedDekWithoutPrefix_isRejected() throws Exception {
    byte[] iv = pattern(16);
    String legacy =
        Base64.getEncoder()
            .encodeToString(
                concat(
                    iv,
                    jceEncrypt(
                        kek1.getEncoded(), iv, new byte[0], SymmetricKey.random().getEncoded())));

    assertThrows(InvalidCiphertextException.class, () -> crypto.unwrap(PROJECT, legacy));
  }

  @Test
  void currentKekRing_replacedWithTwoVersions_wrapsWithTheNewOneAndStillUnwrapsTheOld()
      throws Exception {
    CurrentKekRing current = new CurrentKekRing(ring(Map.of(1, kek1), null));
    EnvelopeCrypto rotating = new EnvelopeCrypto(current);
    WrappedDek before = rotating.generateWrappedDek(PROJECT);
    byte[] dekBefore = rotating.unwrap(PROJECT, before.encoded()).getEncoded();

    current.replace(ring(Map.of(1, kek1, 2, SymmetricKey.random()), null));
    WrappedDek after = rotating.generateWrappedDek(PROJECT);

    assertEquals(1, before.kekVersion());
    assertEquals(2, after.kekVersion());
    assertTrue(after.encoded().startsWith("dek1:k2:"), after.encoded());
    assertArrayEquals(dekBefore, rotating.unwrap(PROJECT, before.encoded()).getEncoded());
    assertEquals(32, rotating.unwrap(PROJECT, after.encoded()).getEncoded().length);
    assertTrue(current.toString().contains("versions=[1, 2]"), current.toString());
  }

  // ---- values

  static IntStream valueSizes() {
    return IntStream.concat(IntStream.rangeClosed(0, 100), IntStream.of(64 * 1024));
  }

  @ParameterizedTest(name = "{0} bytes")
  @MethodSource("valueSizes")
  void decrypt_ofEncrypt_returnsPlaintext(int size) throws Exception {
    ValueCipher cipher = valueCipher(PROJECT, SymmetricKey.random());
    byte[] plaintext = pattern(size);

    String encrypted = cipher.encrypt(plaintext);

    assertArrayEquals(plaintext, cipher.decrypt(encrypted));
    assertEquals(EnvelopeCrypto.maxValueCiphertextLength(size), encrypted.length());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "p\u00e4ssw\u00f6rd-\uD83D\uDD11-\u5BC6\u7801",
        "-----BEGIN KEY-----\nline 2\r\nline 3\n",
        "a=b;c\0d"
      })
  void decrypt_ofEncrypt_unicodeAndMultilineRoundTrip(String value) throws Exception {
    ValueCipher cipher = valueCipher(PROJECT, SymmetricKey.random());

    assertEquals(
        value, new String(cipher.decrypt(cipher.encrypt(utf8(value))), StandardCharsets.UTF_8));
  }

  @Test
  void encrypt_producesEnc1PrefixThenStrictBase64() {
    String encrypted = valueCipher(PROJECT, SymmetricKey.random()).encrypt(utf8("hello"));

    assertTrue(encrypted.startsWith("enc1:"), encrypted);
    assertEquals(12 + 5 + 16, Base64.getDecoder().decode(encrypted.substring(5)).length);
  }

  @Test
  void decrypt_documentedAssociatedData_isEnc1ThenProjectId() throws Exception {
    SymmetricKey dek = SymmetricKey.random();
    byte[] sealed = AesGcm.seal(dek, utf8("value"), utf8("enc1:" + PROJECT));

    byte[] plaintext =
        valueCipher(PROJECT, dek).decrypt("enc1:" + Base64.getEncoder().encodeToString(sealed));

    assertArrayEquals(utf8("value"), plaintext);
  }

  @Test
  void decrypt_valueFromAnotherProjectWithTheSameDek_isRejected() {
    SymmetricKey dek = SymmetricKey.random();
    String encrypted = valueCipher(PROJECT, dek).encrypt(utf8("secret"));

    assertThrows(
        InvalidCiphertextException.class, () -> valueCipher(OTHER_PROJECT, dek).decrypt(encrypted));
  }

  @Test
  void decrypt_valueUnderAnotherDek_isRejected() {
    String encrypted = valueCipher(PROJECT, SymmetricKey.random()).encrypt(utf8("secret"));

    assertThrows(
        InvalidCiphertextException.class,
        () -> valueCipher(PROJECT, SymmetricKey.random()).decrypt(encrypted));
  }

  /**
   * Plaintext sizes whose sealed length leaves 0, 1 and 2 padding characters, and one longer value.
   */
  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {2, 3, 4, 40})
  void decrypt_everySingleCharacterMutation_isRejected(int size) {
    ValueCipher cipher = valueCipher(PROJECT, SymmetricKey.random());
    String encrypted = cipher.encrypt(pattern(size));

    forEachSingleCharacterMutation(
        encrypted,
        mutated ->
            assertThrows(
                InvalidCiphertextException.class,
                () -> cipher.decrypt(mutated),
                () -> "accepted " + mutated));
  }

  @Test
  void decrypt_everyTruncation_isRejected() {
    ValueCipher cipher = valueCipher(PROJECT, SymmetricKey.random());
    String encrypted = cipher.encrypt(utf8("truncate"));

    for (int length = 0; length < encrypted.length(); length++) {
      String truncated = encrypted.substring(0, length);
      assertThrows(InvalidCiphertextException.class, () -> cipher.decrypt(truncated));
    }
  }

  @Test
  void decrypt_legacyValueWithoutPrefix_isRejected() throws Exception {
    SymmetricKey dek = SymmetricKey.random();
    byte[] iv = pattern(16);
    String legacy =
        Base64.getEncoder()
            .encodeToString(
                concat(iv, jceEncrypt(dek.getEncoded(), iv, new byte[0], utf8("legacy value"))));
    ValueCipher cipher = valueCipher(PROJECT, dek);

    assertThrows(InvalidCiphertextException.class, () -> cipher.decrypt(legacy));
    assertThrows(InvalidCiphertextException.class, () -> cipher.decrypt("enc1:" + legacy));
  }

  @Test
  void valueCipher_toString_isRedacted() {
    SymmetricKey dek = SymmetricKey.random();

    String text = valueCipher(PROJECT, dek).toString();

    assertFalse(text.contains(Base64.getEncoder().encodeToString(dek.getEncoded())), text);
    assertEquals("ValueCipher[redacted]", text);
  }

  // ---- helpers

  private ValueCipher valueCipher(String projectId, SymmetricKey dek) {
    return crypto.valueCipher(projectId, dek);
  }

  /** Crypto over one fixed ring (built once, so its random keys stay the same across calls). */
  private static EnvelopeCrypto cryptoOver(KekRing ring) {
    return new EnvelopeCrypto(() -> ring);
  }

  static KekRing ring(Map<Integer, SymmetricKey> keys, Integer active) {
    try {
      return KekRing.of(keys, active);
    } catch (KekLoadException e) {
      throw new AssertionError(e);
    }
  }

  private static void assertUnwrapRejected(EnvelopeCrypto crypto, String wrapped) {
    try {
      crypto.unwrap(PROJECT, wrapped);
      fail("accepted " + wrapped);
    } catch (InvalidCiphertextException | UnknownKekVersionException expected) {
      // either is a rejection
    }
  }

  /**
   * Calls {@code check} with every string that differs from {@code text} in exactly one character.
   */
  private static void forEachSingleCharacterMutation(String text, Consumer<String> check) {
    for (int i = 0; i < text.length(); i++) {
      for (int replacementAt = 0; replacementAt < MUTATIONS.length(); replacementAt++) {
        char replacement = MUTATIONS.charAt(replacementAt);
        if (replacement != text.charAt(i)) {
          check.accept(text.substring(0, i) + replacement + text.substring(i + 1));
        }
      }
    }
  }
}
