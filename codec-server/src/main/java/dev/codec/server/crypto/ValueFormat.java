package dev.codec.server.crypto;

import java.nio.charset.StandardCharsets;

/**
 * Text format of a value encrypted under a project's DEK, version 1.
 *
 * <pre>
 *   "enc1:" + base64( nonce[12] || AES-GCM(DEK, plaintext) [n] || tag[16] )
 *   associated data = UTF-8( "enc1:" + project_id )
 * </pre>
 *
 * A value copied to another project fails to decrypt even if that project somehow had the same DEK.
 */
final class ValueFormat {
    static final String PREFIX = "enc1:";

    private ValueFormat() {}

    static byte[] associatedData(String projectId) {
        return (PREFIX + projectId).getBytes(StandardCharsets.UTF_8);
    }

    static String encode(byte[] sealed) {
        return StrictBase64.encode(PREFIX, sealed);
    }

    /** The sealed bytes inside an "enc1:" value. */
    static byte[] parse(String text) throws InvalidCiphertextException {
        if (!text.startsWith(PREFIX)) {
            throw new InvalidCiphertextException();
        }
        byte[] sealed = StrictBase64.decode(text, PREFIX.length());
        if (sealed.length < AesGcm.sealedLength(0)) {
            throw new InvalidCiphertextException();
        }
        return sealed;
    }

    /** The largest encoded length of a value whose plaintext has {@code maxPlaintextBytes} bytes. */
    static int maxEncodedLength(int maxPlaintextBytes) {
        int sealed = AesGcm.sealedLength(maxPlaintextBytes);
        return PREFIX.length() + 4 * ((sealed + 2) / 3);
    }
}
