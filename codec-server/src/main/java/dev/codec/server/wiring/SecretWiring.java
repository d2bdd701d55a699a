package dev.codec.server.wiring;

import dev.codec.server.auth.CallerTokens;
import dev.codec.server.config.AuthConfiguration;
import dev.codec.server.config.TlsConfiguration;
import dev.codec.server.grpc.ServerTls;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.core.annotation.Nullable;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the caller tokens and the TLS material at startup and puts them under {@link SecretReloads}
 * ({@code codec.auth.reload-interval}, {@code codec.tls.reload-interval}).
 */
@Factory
public class SecretWiring {
  private static final Logger LOG = LoggerFactory.getLogger(SecretWiring.class);

  /**
   * The caller tokens of {@code codec.auth.tokens-dir}, loaded now. With authentication off nothing
   * is read (the set stays empty).
   */
  @Singleton
  public CallerTokens callerTokens(AuthConfiguration auth, SecretReloads reloads) {
    CallerTokens tokens = new CallerTokens(Path.of(auth.tokensDir()));
    if (!auth.enabled()) {
      return tokens;
    }
    String loaded = tokens.reload();
    LOG.info("Caller tokens: {}", loaded);
    reloads.register(
        SecretReloads.CALLER_TOKENS,
        auth.tokensDir(),
        auth.reloadInterval(),
        "codec.auth.reload-interval",
        new SecretReloads.Secret() {
          private String last = loaded;

          @Override
          public void reload() throws IOException {
            String summary = tokens.load();
            if (!summary.equals(last)) {
              last = summary;
              LOG.info("Caller tokens: {}", summary);
            }
          }
        });
    return tokens;
  }

  /**
   * The server's TLS from {@code codec.tls.*}, loaded now (a problem fails startup naming the
   * file), or {@link ServerTls#OFF}.
   */
  @Singleton
  public ServerTls serverTls(TlsConfiguration tls, SecretReloads reloads) {
    if (!tls.enabled()) {
      return ServerTls.OFF;
    }
    String description =
        "cert "
            + tls.cert()
            + (tls.clientCa() == null
                ? ""
                : ", client CA "
                    + tls.clientCa()
                    + " ("
                    + tls.clientAuth().name().toLowerCase(Locale.ROOT)
                    + ")");
    try {
      TlsMaterial material = loadTls(tls, reloads);
      SslContextBuilder builder = SslContextBuilder.forServer(material.keys());
      if (material.trust() != null) {
        builder
            .trustManager(material.trust())
            .clientAuth(
                tls.clientAuth() == TlsConfiguration.ClientAuth.REQUIRE
                    ? ClientAuth.REQUIRE
                    : ClientAuth.OPTIONAL);
      }
      return new ServerTls(GrpcSslContexts.configure(builder).build(), description);
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigurationException(
          "codec.tls: cannot load " + description + ": " + e.getMessage(), e);
    }
  }

  /**
   * The server's key manager and, with a client CA, trust manager, kept current by {@link
   * SecretReloads}.
   */
  record TlsMaterial(AdvancedTlsX509KeyManager keys, @Nullable AdvancedTlsX509TrustManager trust) {}

  /** Loads the TLS files of {@code tls} (TLS on) and registers their reloads. */
  static TlsMaterial loadTls(TlsConfiguration tls, SecretReloads reloads)
      throws IOException, GeneralSecurityException {
    if (tls.key() == null || tls.key().isBlank()) {
      throw new GeneralSecurityException("codec.tls.key is required with codec.tls.cert");
    }
    AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
    PemIdentity identity = PemIdentity.load(keys, Path.of(tls.cert()), Path.of(tls.key()));
    AdvancedTlsX509TrustManager trust = null;
    PemTrust trusted = null;
    if (tls.clientCaSet()) {
      trust =
          AdvancedTlsX509TrustManager.newBuilder()
              .setVerification(
                  AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
              .build();
      trusted = PemTrust.load(trust, Path.of(tls.clientCa()));
    }
    reloads.register(
        SecretReloads.TLS_IDENTITY,
        tls.cert() + ", " + tls.key(),
        tls.reloadInterval(),
        "codec.tls.reload-interval",
        identity::reloadIfChanged);
    if (trusted != null) {
      reloads.register(
          SecretReloads.TLS_CLIENT_CA,
          tls.clientCa(),
          tls.reloadInterval(),
          "codec.tls.reload-interval",
          trusted::reloadIfChanged);
    }
    return new TlsMaterial(keys, trust);
  }
}
