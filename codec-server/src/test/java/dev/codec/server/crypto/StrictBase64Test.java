package dev.codec.server.crypto;

import static dev.codec.server.crypto.TestBytes.pattern;
import static dev.codec.server.crypto.TestBytes.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Base64;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class StrictBase64Test {
  private static final String ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  static IntStream lengths() {
    return IntStream.rangeClosed(1, 64);
  }

  @ParameterizedTest(name = "{0} bytes")
  @MethodSource("lengths")
  void decode_canonicalEncoding_returnsBytes(int length) throws Exception {
    byte[] bytes = pattern(length);
    String text = StrictBase64.encode("p1:", bytes);

    assertEquals("p1:" + Base64.getEncoder().encodeToString(bytes), text);
    assertArrayEquals(bytes, StrictBase64.decode(text, 3));
  }

  /** Every "XY==": accepted exactly when it is the canonical encoding of the byte it denotes. */
  @Test
  void decode_everyOneByteForm_acceptsOnlyCanonicalEncodings() {
    int accepted = 0;
    for (int firstAt = 0; firstAt < ALPHABET.length(); firstAt++) {
      char first = ALPHABET.charAt(firstAt);
      for (int secondAt = 0; secondAt < ALPHABET.length(); secondAt++) {
        char second = ALPHABET.charAt(secondAt);
        accepted += assertAcceptedExactlyWhenCanonical("" + first + second + "==");
      }
    }
    assertEquals(256, accepted, "one accepted form per byte value");
  }

  /** Every "QUZ=" (two bytes, the last data character varied): accepted exactly when canonical. */
  @Test
  void decode_everyTwoByteLastCharacter_acceptsOnlyCanonicalEncodings() {
    int accepted = 0;
    for (int thirdAt = 0; thirdAt < ALPHABET.length(); thirdAt++) {
      char third = ALPHABET.charAt(thirdAt);
      accepted += assertAcceptedExactlyWhenCanonical("QU" + third + "=");
    }
    assertEquals(16, accepted, "4 of the last character's 6 bits carry data");
  }

  @Test
  void decode_nonCanonicalTrailingBits_isRejectedThoughTheJdkDecoderAcceptsIt() {
    // "QR==" and "QUF=" carry non-zero unused bits: the lenient JDK decoder maps them to "A" and
    // "AA".
    assertArrayEquals(utf8("A"), Base64.getDecoder().decode("QR=="));
    assertArrayEquals(utf8("AA"), Base64.getDecoder().decode("QUF="));

    assertRejected("QR==");
    assertRejected("QUF=");
    assertRejected("prefix:QUF=", 7);
  }

  @ParameterizedTest
  @ValueSource(strings = {"QQ", "QUE", "QUFBQQ", "QUFBQUE", "QQ=", "QUFBQQ="})
  void decode_missingPadding_isRejected(String text) {
    assertRejected(text);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"QUE-", "QUE_", "QU E", "QUE=\n", " QUE=", "QUE\u00e9", "QUE.", "QU:E", "QUE\0"})
  void decode_characterOutsideTheAlphabet_isRejected(String text) {
    assertRejected(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"====", "A===", "Q=Q=", "QQ==QUE=", "QUE=QUFB", "=QUE"})
  void decode_misplacedPadding_isRejected(String text) {
    assertRejected(text);
  }

  @Test
  void decode_empty_isRejected() {
    assertRejected("");
    assertRejected("enc1:", 5);
  }

  @Test
  void decode_onlyReadsFromTheOffset() throws Exception {
    assertArrayEquals(utf8("AA"), StrictBase64.decode("dek1:k9:QUE=", 8));
    assertRejected("dek1:k9:QUE=", 7);
  }

  /** Returns 1 if {@code text} was (rightly) accepted, 0 if (rightly) rejected. */
  private static int assertAcceptedExactlyWhenCanonical(String text) {
    byte[] lenient = Base64.getDecoder().decode(text); // the JDK ignores the unused bits
    if (Base64.getEncoder().encodeToString(lenient).equals(text)) {
      assertArrayEquals(lenient, assertDoesNotThrow(() -> StrictBase64.decode(text, 0)), text);
      return 1;
    }
    assertRejected(text);
    return 0;
  }

  private static void assertRejected(String text) {
    assertRejected(text, 0);
  }

  private static void assertRejected(String text, int offset) {
    assertThrows(
        InvalidCiphertextException.class,
        () -> StrictBase64.decode(text, offset),
        () -> "accepted " + text.substring(offset));
  }
}
