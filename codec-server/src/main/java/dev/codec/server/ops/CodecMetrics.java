package dev.codec.server.ops;

import dev.codec.server.auth.RefusalReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counters that other parts of the codec report to. Labels take only fixed words: an auth failure
 * is counted under its {@link RefusalReason}'s label, so no caller-supplied text (a token, a
 * project id) can ever become a label.
 *
 * <p>Prometheus names: {@code codec_kek_reload_failures_total}, {@code
 * codec_auth_failures_total{reason}}, {@code
 * codec_values_decrypted_total{format="enc1|enc2|legacy"}} (values decrypted, by input format: the
 * enc1 to enc2 migration is done when the enc1 count stays flat), {@code
 * codec_secret_reload_failures_total{secret}} (failed reloads of a file-backed secret; {@code
 * secret} is one of the fixed names kek, caller-tokens, tls-identity, tls-client-ca given by the
 * server's wiring, never caller text).
 */
@Singleton
public class CodecMetrics {
  private final MeterRegistry registry;
  private final Counter kekReloadFailures;
  private final Map<RefusalReason, Counter> authFailures = new EnumMap<>(RefusalReason.class);
  private final Map<String, Counter> secretReloadFailures = new ConcurrentHashMap<>();
  private final Counter decryptedEnc1;
  private final Counter decryptedEnc2;
  private final Counter decryptedLegacy;

  public CodecMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.kekReloadFailures =
        Counter.builder("codec.kek.reload.failures")
            .description("KEK directory reloads that failed (the previous ring stayed in force)")
            .register(registry);
    for (RefusalReason reason : RefusalReason.values()) {
      authFailures.put(
          reason,
          Counter.builder("codec.auth.failures")
              .description("Calls refused by authentication or authorization, by reason")
              .tag("reason", reason.label())
              .register(registry));
    }
    this.decryptedEnc1 = valuesDecryptedCounter("enc1");
    this.decryptedEnc2 = valuesDecryptedCounter("enc2");
    this.decryptedLegacy = valuesDecryptedCounter("legacy");
  }

  private Counter valuesDecryptedCounter(String format) {
    return Counter.builder("codec.values.decrypted")
        .description(
            "Values decrypted, by input format (enc1 should reach zero before codec.formats.accept-enc1=false)")
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

  /**
   * Counts one failed reload of the file-backed secret {@code secret} (a fixed name such as {@code
   * kek}).
   */
  public void secretReloadFailed(String secret) {
    secretReloadFailureCounter(secret).increment();
  }

  private Counter secretReloadFailureCounter(String secret) {
    return secretReloadFailures.computeIfAbsent(secret, s -> secretReloadFailures(registry, s));
  }

  /**
   * The failure counter of {@code secret} in {@code registry}, created at 0 if new (for meter
   * binders).
   */
  public static Counter secretReloadFailures(MeterRegistry registry, String secret) {
    return Counter.builder("codec.secret.reload.failures")
        .description(
            "Reloads of a file-backed secret that failed (the last good state stayed in force)")
        .tag("secret", secret)
        .register(registry);
  }

  /** Counts one refused call under its reason's label. */
  public void authFailure(RefusalReason reason) {
    authFailures.get(reason).increment();
  }
}
