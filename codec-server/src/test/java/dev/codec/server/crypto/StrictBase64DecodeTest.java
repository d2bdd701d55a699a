package dev.codec.server.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The canonical-only base64 decoding after a prefix, as the formats use it (added with the decode optimisation). */
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
        for (String bad : new String[] {"AQ?=", "A\u0100I=", "A\u00e9I=", "AQ-_", "AQ I", "AQI\u0000"}) {
            assertThrows(InvalidCiphertextException.class, () -> StrictBase64.decode("p:" + bad, 2), bad);
        }
    }

    @Test
    void decode_unpaddedOrEmpty_isRejected() {
        assertThrows(InvalidCiphertextException.class, () -> StrictBase64.decode("p:AQ", 2));
        assertThrows(InvalidCiphertextException.class, () -> StrictBase64.decode("p:", 2));
        assertThrows(InvalidCiphertextException.class, () -> StrictBase64.decode("p:AQ=A", 2));
    }
}
