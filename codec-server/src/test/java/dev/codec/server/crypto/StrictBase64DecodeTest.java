package dev.codec.server.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The canonical-only base64 decoding after a prefix, as the formats use it (added with the decode
 * optimisation).
 */
class StrictBase64DecodeTest {
  @Test
  void decode_afterPrefix_roundTripsEveryLength() throws InvalidCiphertextException {
    for (int length = 1; length <= 70; length++) {
      byte[] bytes = new byte[length];
      for (int i = 0; i < length; i++) {
        bytes[i] = (byte) (i * 37 + length);
      }
      String text = StrictBase64.encode("enc1:", bytes);
      assertArrayEquals(bytes, StrictBase64.decode(text, "enc1:".length()), "length " + length);
    }
  }

  @Test
  void decode_nonCanonicalFinalCharacter_isRejected() {
    assertEquals("AQ==", StrictBase64.encode("", new byte[] {1}));
    assertThrows(InvalidCiphertextException.class, () -> StrictBase64.decode("p:AR==", 2));
    assertEquals("AQI=", StrictBase64.encode("", new byte[] {1, 2}));
    assertThrows(InvalidCiphertextException.class, () -> StrictBase64.decode("p:AQJ=", 2));
  }

  @Test
  void decode_charactersOutsideTheAlphabet_areRejected() {
    // '?' is what a non-Latin-1 character would become as ISO-8859-1: it must stay invalid.
    for (String bad :
        new String[] {"AQ?=", "A\u0100I=", "A\u00e9I=", "AQ-_", "AQ I", "AQI\u0000"}) {
      assertThrows(InvalidCiphertextException.class, () -> StrictBase64.decode("p:" + bad, 2), bad);
    }
  }

  @Test
  void decode_unpaddedOrEmpty_isRejected() {
    assertThrows(InvalidCiphertextException.class, () -> StrictBase64.decode("p:AQ", 2));
    assertThrows(InvalidCiphertextException.class, () -> StrictBase64.decode("p:", 2));
    assertThrows(InvalidCiphertextException.class, () -> StrictBase64.decode("p:AQ=A", 2));
  }

  /**
   * Differential check against the JDK's decoder on seeded random texts (valid encodings, and
   * encodings with one character replaced, inserted or deleted): strict decoding accepts exactly
   * what the JDK accepts AND is the canonical encoding of its result, and then returns the same
   * bytes.
   */
  @Test
  void decode_agreesWithTheJdkDecoderPlusCanonicalCheck_onRandomTexts() {
    java.util.Random random = new java.util.Random(20261123);
    int accepted = 0;
    String alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ ?\u00e9\u0100\u0000";
    for (int round = 0; round < 20_000; round++) {
      byte[] bytes = new byte[random.nextInt(40)];
      random.nextBytes(bytes);
      StringBuilder text = new StringBuilder(java.util.Base64.getEncoder().encodeToString(bytes));
      int edit = random.nextInt(4);
      if (edit > 0 && text.length() > 0) {
        int at = random.nextInt(text.length());
        char c = alphabet.charAt(random.nextInt(alphabet.length()));
        switch (edit) {
          case 1 -> text.setCharAt(at, c);
          case 2 -> text.insert(at, c);
          default -> text.deleteCharAt(at);
        }
      }
      String candidate = text.toString();
      byte[] expected;
      try {
        expected = java.util.Base64.getDecoder().decode(candidate);
        if (!java.util.Base64.getEncoder().encodeToString(expected).equals(candidate)
            || candidate.isEmpty()) {
          expected = null; // the JDK is lenient about unused bits and accepts ""; strict is not
        }
      } catch (IllegalArgumentException e) {
        expected = null;
      }
      byte[] actual;
      try {
        actual = StrictBase64.decode("enc1:" + candidate, 5);
      } catch (InvalidCiphertextException e) {
        actual = null;
      }
      if (expected == null) {
        assertEquals(null, actual, () -> "accepted " + candidate);
      } else {
        assertArrayEquals(expected, actual, () -> "decoded " + candidate);
        accepted++;
      }
    }
    assertTrue(
        accepted > 5_000 && accepted < 15_000, "both kinds were tried: accepted " + accepted);
  }
}
