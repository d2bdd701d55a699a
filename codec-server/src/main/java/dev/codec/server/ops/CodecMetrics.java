package dev.codec.server.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counters that other parts of the codec report to. Labels take only fixed words: an auth failure
 * reason outside {@link #AUTH_FAILURE_REASONS} is counted as {@code other}, so no caller-supplied text
 * (a token, a project id) can ever become a label.
 *
 * <p>Prometheus names: {@code codec_kek_reload_failures_total}, {@code codec_auth_failures_total{reason}},
 * {@code codec_values_decrypted_total{format="enc1|enc2|legacy"}} (values decrypted, by input format:
 * the enc1 to enc2 migration is done when the enc1 count stays flat),
 * {@code codec_secret_reload_failures_total{secret}} (failed reloads of a file-backed secret; {@code secret} is
 * one of the fixed names kek, caller-tokens, tls-identity, tls-client-ca given by the server's wiring, never
 * caller text).
 */
@Singleton
public class CodecMetrics {
    public static final String MISSING_CREDENTIALS = "missing_credentials";
    public static final String MALFORMED_HEADER = "malformed_header";
    public static final String UNKNOWN_TOKEN = "unknown_token";
    public static final String UNKNOWN_CERTIFICATE = "unknown_certificate";
    public static final String AMBIGUOUS_CERTIFICATE = "ambiguous_certificate";
    public static final String PERMISSION_DENIED = "permission_denied";
    public static final String UNKNOWN_METHOD = "unknown_method";
    /** What any reason outside the fixed set is counted as. */
    public static final String OTHER = "other";

    /** The reasons an auth failure can be counted under (plus {@link #OTHER}). */
    public static final Set<String> AUTH_FAILURE_REASONS =
            Set.of(MISSING_CREDENTIALS, MALFORMED_HEADER, UNKNOWN_TOKEN, UNKNOWN_CERTIFICATE, AMBIGUOUS_CERTIFICATE,
                    PERMISSION_DENIED, UNKNOWN_METHOD);

    private final MeterRegistry registry;
    private final Counter kekReloadFailures;
    private final Map<String, Counter> authFailures = new ConcurrentHashMap<>();
    private final Map<String, Counter> secretReloadFailures = new ConcurrentHashMap<>();
    private final Counter decryptedEnc1;
    private final Counter decryptedEnc2;
    private final Counter decryptedLegacy;

    public CodecMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.kekReloadFailures = Counter.builder("codec.kek.reload.failures")
                .description("KEK directory reloads that failed (the previous ring stayed in force)")
                .register(registry);
        for (String reason : AUTH_FAILURE_REASONS) {
            authFailureCounter(reason);
        }
        authFailureCounter(OTHER);
        this.decryptedEnc1 = valuesDecryptedCounter("enc1");
        this.decryptedEnc2 = valuesDecryptedCounter("enc2");
        this.decryptedLegacy = valuesDecryptedCounter("legacy");
    }

    private Counter valuesDecryptedCounter(String format) {
        return Counter.builder("codec.values.decrypted")
                .description("Values decrypted, by input format (enc1 should reach zero before codec.formats.accept-enc1=false)")
                .tag("format", format)
                .register(registry);
    }

    /** Counts the values one call decrypted, per format. */
    public void valuesDecrypted(int enc1, int enc2, int legacy) {
        if (enc1 > 0) {
            decryptedEnc1.increment(enc1);
        }
        if (enc2 > 0) {
            decryptedEnc2.increment(enc2);
        }
        if (legacy > 0) {
            decryptedLegacy.increment(legacy);
        }
    }

    /** Counts one failed KEK reload. */
    public void kekReloadFailed() {
        kekReloadFailures.increment();
    }

    /** Counts one failed reload of the file-backed secret {@code secret} (a fixed name such as {@code kek}). */
    public void secretReloadFailed(String secret) {
        secretReloadFailureCounter(secret).increment();
    }

    private Counter secretReloadFailureCounter(String secret) {
        return secretReloadFailures.computeIfAbsent(secret, s -> secretReloadFailures(registry, s));
    }

    /** The failure counter of {@code secret} in {@code registry}, created at 0 if new (for meter binders). */
    public static Counter secretReloadFailures(MeterRegistry registry, String secret) {
        return Counter.builder("codec.secret.reload.failures")
                .description("Reloads of a file-backed secret that failed (the last good state stayed in force)")
                .tag("secret", secret)
                .register(registry);
    }

    /** Counts one refused call under {@code reason}, one of {@link #AUTH_FAILURE_REASONS}, else {@link #OTHER}. */
    public void authFailure(String reason) {
        authFailureCounter(AUTH_FAILURE_REASONS.contains(reason) ? reason : OTHER).increment();
    }

    private Counter authFailureCounter(String reason) {
        return authFailures.computeIfAbsent(reason, r -> Counter.builder("codec.auth.failures")
                .description("Calls refused by authentication or authorization, by reason")
                .tag("reason", r)
                .register(registry));
    }
}
