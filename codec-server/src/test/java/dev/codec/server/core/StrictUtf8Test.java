package dev.codec.server.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link StrictUtf8} accepts exactly what the JDK's UTF-8 decoder accepts when it reports malformed
 * input (what DecryptAll used before it stopped decoding values): compared on every sequence of one
 * and two bytes, every lead and second byte of three- and four-byte sequences with the boundary
 * values of the rest, and random text.
 */
class StrictUtf8Test {
  /** Continuation-range boundaries and bytes just outside it. */
  private static final int[] BOUNDARIES = {
    0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff
  };

  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final CharBuffer chars = CharBuffer.allocate(64);

  private boolean jdkAccepts(byte[] bytes) {
    decoder.reset();
    chars.clear();
    return !decoder.decode(ByteBuffer.wrap(bytes), chars, true).isError()
        && !decoder.flush(chars).isError();
  }

  private int compare(byte[] bytes) {
    assertEquals(jdkAccepts(bytes), StrictUtf8.isValid(bytes), () -> hex(bytes));
    return StrictUtf8.isValid(bytes) ? 1 : 0;
  }

  @Test
  void everyOneAndTwoByteSequence_isJudgedAsTheJdkDecoderDoes() {
    int valid = 0;
    for (int a = 0; a < 256; a++) {
      valid += compare(new byte[] {(byte) a});
      for (int b = 0; b < 256; b++) {
        valid += compare(new byte[] {(byte) a, (byte) b});
        valid += compare(new byte[] {'x', (byte) a, (byte) b}); // after the ASCII fast path
      }
    }
    // 128 one-byte; two bytes: 128*128 ASCII pairs + 30*64 (C2-DF + continuation); x3 prefix alike
    assertEquals(128 + 2 * (128 * 128 + 30 * 64), valid);
  }

  @Test
  void threeAndFourByteSequences_everyLeadAndSecondByte_areJudgedAsTheJdkDecoderDoes() {
    for (int a = 0; a < 256; a++) {
      for (int b = 0; b < 256; b++) {
        for (int c : BOUNDARIES) {
          compare(new byte[] {(byte) a, (byte) b, (byte) c});
          for (int d : BOUNDARIES) {
            compare(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
          }
        }
      }
    }
  }

  @Test
  void randomBytesAndText_areJudgedAsTheJdkDecoderDoes() {
    Random random = new Random(42);
    int valid = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = new byte[random.nextInt(12)];
      random.nextBytes(bytes);
      valid += compare(bytes);
      StringBuilder text = new StringBuilder();
      for (int j = random.nextInt(6); j >= 0; j--) {
        text.appendCodePoint(validCodePoint(random));
      }
      byte[] encoded = text.toString().getBytes(StandardCharsets.UTF_8);
      assertTrue(StrictUtf8.isValid(encoded), text::toString);
      if (encoded.length > 1) {
        byte[] truncated = java.util.Arrays.copyOf(encoded, encoded.length - 1);
        compare(truncated);
      }
    }
    assertTrue(valid > 0, "some random byte strings are valid (the empty one at least)");
  }

  @Test
  void extremes_ofTheCodeSpace() {
    assertTrue(StrictUtf8.isValid(new byte[0]));
    assertTrue(StrictUtf8.isValid("\uffff\ufffe\ud7ff\ue000".getBytes(StandardCharsets.UTF_8)));
    assertTrue(
        StrictUtf8.isValid(
            new StringBuilder()
                .appendCodePoint(0x10ffff)
                .toString()
                .getBytes(StandardCharsets.UTF_8)));
    assertFalse(
        StrictUtf8.isValid(new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}));
    assertFalse(StrictUtf8.isValid(new byte[] {(byte) 0xed, (byte) 0xb0, (byte) 0x80}));
    assertFalse(StrictUtf8.isValid(new byte[] {(byte) 0xe0, (byte) 0x9f, (byte) 0xbf}));
    assertFalse(
        StrictUtf8.isValid(new byte[] {(byte) 0xf0, (byte) 0x8f, (byte) 0xbf, (byte) 0xbf}));
  }

  private static int validCodePoint(Random random) {
    int[] ranges = {0x7f, 0x7ff, 0xffff, 0x10ffff};
    while (true) {
      int cp = random.nextInt(ranges[random.nextInt(ranges.length)] + 1);
      if (cp < 0xd800 || cp > 0xdfff) {
        return cp;
      }
    }
  }

  private static String hex(byte[] bytes) {
    return java.util.HexFormat.ofDelimiter(" ").formatHex(bytes);
  }
}
