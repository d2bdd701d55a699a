package dev.codec.server.wiring;

import dev.codec.server.ops.CodecMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.inject.Singleton;

/**
 * {@code codec_secret_reload_ok{secret}}: 1 while the last reload of a file-backed secret worked or
 * none has run yet, 0 after a failed one, absent (NaN) for a secret not in use (TLS off). Also
 * creates each secret's {@code codec_secret_reload_failures_total} at 0, so that alerts see the
 * series before the first failure. Both read {@link SecretReloads#status(String)}, the one status
 * shape of every secret.
 */
@Singleton
public class SecretReloadMeters implements MeterBinder {
  private final SecretReloads reloads;

  public SecretReloadMeters(SecretReloads reloads) {
    this.reloads = reloads;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (String secret : SecretReloads.SECRETS) {
      Gauge.builder("codec.secret.reload.ok", reloads, r -> state(r.status(secret)))
          .description(
              "1 while the last reload of a file-backed secret worked (or none ran yet), 0 after a failed one")
          .tag("secret", secret)
          .register(registry);
      CodecMetrics.secretReloadFailures(registry, secret);
    }
  }

  static double state(SecretReloads.Status status) {
    if (status == null) {
      return Double.NaN;
    }
    return status.result() == SecretReloads.Result.FAILED ? 0 : 1;
  }
}
