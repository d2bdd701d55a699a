package dev.codec.server.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * Server TLS from PEM files, e.g. issued by cert-manager: {@code codec.tls.*}. The files are
 * re-read every {@code reload-interval}, so renewed certificates are used without a restart.
 *
 * @param cert PEM certificate chain of the server (env CODEC_TLS_CERT). TLS is on when this is set.
 * @param key PEM private key of the server (env CODEC_TLS_KEY): PKCS#8, PKCS#1 RSA or SEC1 EC
 * @param clientCa PEM CA bundle that signs client certificates (env CODEC_TLS_CLIENT_CA): enables
 *     mTLS
 * @param clientAuth with a client CA: optional (default) or require
 * @param reloadInterval how often the PEM files are checked for changes. Default 1m; {@code 0s}:
 *     read once at startup, never again.
 */
@ConfigurationProperties("codec.tls")
public record TlsConfiguration(
    @Nullable String cert,
    @Nullable String key,
    @Nullable String clientCa,
    @Bindable(defaultValue = "OPTIONAL") ClientAuth clientAuth,
    @Bindable(defaultValue = "1m") Duration reloadInterval) {

  /** Whether clients must present a certificate when a client CA is set. */
  public enum ClientAuth {
    /** Verify a client certificate if one is sent; callers may still use tokens. */
    OPTIONAL,
    /** Refuse connections without a certificate signed by the client CA. */
    REQUIRE
  }

  public boolean enabled() {
    return cert != null && !cert.isBlank();
  }

  public boolean clientCaSet() {
    return clientCa != null && !clientCa.isBlank();
  }

  @Override
  public String toString() {
    return "TlsConfiguration[cert="
        + cert
        + ", key="
        + (key == null ? null : "(path set)")
        + ", clientCa="
        + clientCa
        + ", clientAuth="
        + clientAuth
        + ", reloadInterval="
        + reloadInterval
        + "]";
  }
}
