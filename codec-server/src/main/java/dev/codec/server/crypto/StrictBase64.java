package dev.codec.server.crypto;

import java.util.Arrays;
import java.util.Base64;

/**
 * Standard base64 (RFC 4648 section 4, with padding) that accepts only the canonical encoding of each
 * byte string, so a ciphertext has exactly one textual form: a changed character can never decode to
 * the same bytes.
 */
final class StrictBase64 {
    private static final Base64.Encoder ENCODER = Base64.getEncoder();
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    /** Index: an ASCII character; value: its 6 bits, or -1 when it is not in the alphabet. */
    private static final byte[] SEXTETS = new byte[128];

    static {
        Arrays.fill(SEXTETS, (byte) -1);
        for (int i = 0; i < ALPHABET.length(); i++) {
            SEXTETS[ALPHABET.charAt(i)] = (byte) i;
        }
    }

    private StrictBase64() {}

    static String encode(String prefix, byte[] bytes) {
        return prefix + ENCODER.encodeToString(bytes);
    }

    /**
     * Decodes {@code text} from index {@code offset} to its end, reading the characters directly (no
     * substring, no byte copy of the text: this runs once per value in DecryptAll).
     *
     * @throws InvalidCiphertextException if it is empty, unpadded, has characters outside the
     *     alphabet (padding included anywhere but at the end), or is not canonical (non-zero bits in the
     *     final character's unused positions)
     */
    static byte[] decode(String text, int offset) throws InvalidCiphertextException {
        int length = text.length() - offset;
        if (length <= 0 || length % 4 != 0) {
            throw new InvalidCiphertextException();
        }
        int end = text.length();
        int padding = text.charAt(end - 1) != '=' ? 0 : text.charAt(end - 2) != '=' ? 1 : 2;
        byte[] out = new byte[length / 4 * 3 - padding];
        int fullQuadsEnd = padding == 0 ? end : end - 4;
        int invalid = 0; // any character outside the alphabet makes this negative
        int o = 0;
        for (int i = offset; i < fullQuadsEnd; i += 4) {
            int a = sextet(text.charAt(i));
            int b = sextet(text.charAt(i + 1));
            int c = sextet(text.charAt(i + 2));
            int d = sextet(text.charAt(i + 3));
            invalid |= a | b | c | d;
            int bits = a << 18 | b << 12 | c << 6 | d;
            out[o++] = (byte) (bits >> 16);
            out[o++] = (byte) (bits >> 8);
            out[o++] = (byte) bits;
        }
        if (padding > 0) {
            int a = sextet(text.charAt(end - 4));
            int b = sextet(text.charAt(end - 3));
            int c = padding == 1 ? sextet(text.charAt(end - 2)) : 0;
            invalid |= a | b | c;
            // Canonical: the unused low bits of the last data character must be zero.
            int lastData = padding == 1 ? c : b;
            int unusedBitsMask = padding == 1 ? 0b11 : 0b1111;
            if ((lastData & unusedBitsMask) != 0) {
                throw new InvalidCiphertextException();
            }
            int bits = a << 18 | b << 12 | c << 6;
            out[o++] = (byte) (bits >> 16);
            if (padding == 1) {
                out[o] = (byte) (bits >> 8);
            }
        }
        if (invalid < 0) {
            throw new InvalidCiphertextException();
        }
        return out;
    }

    /** The 6-bit value of a base64 alphabet character; -1 for anything else ('=' included). */
    private static int sextet(char c) {
        return c < SEXTETS.length ? SEXTETS[c] : -1;
    }
}
