package dev.codec.server.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Standard base64 (RFC 4648 section 4, with padding) that accepts only the canonical encoding of
 * each byte string, so a ciphertext has exactly one textual form: a changed character can never
 * decode to the same bytes.
 */
final class StrictBase64 {
  private static final Base64.Decoder DECODER = Base64.getDecoder();
  private static final Base64.Encoder ENCODER = Base64.getEncoder();

  private StrictBase64() {}

  static String encode(String prefix, byte[] bytes) {
    return prefix + ENCODER.encodeToString(bytes);
  }

  /**
   * Decodes {@code text} from index {@code offset} to its end.
   *
   * @throws InvalidCiphertextException if it is empty, unpadded, has characters outside the
   *     alphabet, or is not canonical (non-zero bits in the final character's unused positions)
   */
  static byte[] decode(String text, int offset) throws InvalidCiphertextException {
    int length = text.length() - offset;
    if (length <= 0 || length % 4 != 0) {
      throw new InvalidCiphertextException();
    }
    int padding =
        text.charAt(text.length() - 1) != '=' ? 0 : text.charAt(text.length() - 2) != '=' ? 1 : 2;
    int lastDataChar = sextet(text.charAt(text.length() - 1 - padding));
    int unusedBitsMask = padding == 0 ? 0 : padding == 1 ? 0b11 : 0b1111;
    if (lastDataChar < 0 || (lastDataChar & unusedBitsMask) != 0) {
      throw new InvalidCiphertextException();
    }
    try {
      // One copy of the text as bytes (a non-Latin-1 character becomes '?', which is rejected as
      // outside the alphabet), decoded in place from offset: no substring, no second copy.
      ByteBuffer decoded =
          DECODER.decode(
              ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1), offset, length));
      byte[] bytes = decoded.array();
      return decoded.remaining() == bytes.length
          ? bytes
          : Arrays.copyOf(bytes, decoded.remaining());
    } catch (IllegalArgumentException e) {
      throw new InvalidCiphertextException();
    }
  }

  private static int sextet(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    } else if (c == '+') {
      return 62;
    } else if (c == '/') {
      return 63;
    }
    return -1;
  }
}
