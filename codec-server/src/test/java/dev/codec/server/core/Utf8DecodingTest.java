package dev.codec.server.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The strict UTF-8 decoding of decrypted values, including its ASCII fast path. */
class Utf8DecodingTest {
  @Test
  void utf8_everyAsciiByte_decodesLikeUtf8() throws CharacterCodingException {
    byte[] ascii = new byte[128];
    for (int i = 0; i < ascii.length; i++) {
      ascii[i] = (byte) i;
    }
    assertEquals(new String(ascii, StandardCharsets.UTF_8), CodecService.utf8(ascii));
  }

  @Test
  void utf8_multiByteCharacters_areDecoded() throws CharacterCodingException {
    String text = "caf\u00e9 \u20ac \ud83d\ude00 \u65e5\u672c";
    assertEquals(text, CodecService.utf8(text.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void utf8_emptyValue_isEmpty() throws CharacterCodingException {
    assertEquals("", CodecService.utf8(new byte[0]));
  }

  @Test
  void utf8_malformedBytes_areRejected() {
    byte[][] malformed = {
      {(byte) 0xff}, // never valid in UTF-8
      {'a', (byte) 0x80}, // lone continuation byte after ASCII
      {(byte) 0xc3, '('}, // truncated two-byte sequence
      {(byte) 0xc0, (byte) 0xaf}, // overlong encoding of '/'
      {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, // UTF-16 surrogate
      {'o', 'k', (byte) 0xe2, (byte) 0x82}, // truncated at the end
    };
    for (byte[] bytes : malformed) {
      assertThrows(CharacterCodingException.class, () -> CodecService.utf8(bytes));
    }
  }
}
