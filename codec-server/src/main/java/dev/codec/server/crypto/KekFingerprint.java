package dev.codec.server.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A non-secret fingerprint of a KEK, so operators can check that every pod loaded the same key for a
 * version without seeing the key:
 *
 * <pre>
 *   hex( first 8 bytes of HMAC-SHA256(key = KEK, message = UTF-8 "codec.v1 kek fingerprint") )
 * </pre>
 *
 * A MAC under the key (not a plain hash of it) so the fingerprint gives no shortcut for guessing the key.
 */
public final class KekFingerprint {
    static final String LABEL = "codec.v1 kek fingerprint";
    static final int BYTES = 8;

    private KekFingerprint() {}

    /** The fingerprint of {@code kek}: 16 lowercase hex characters. */
    public static String of(SymmetricKey kek) {
        byte[] raw = kek.getEncoded();
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(raw, "HmacSHA256"));
            byte[] tag = mac.doFinal(LABEL.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(tag, 0, BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }
}
