package dev.codec.server.grpc;

import io.micronaut.core.annotation.Nullable;
import io.netty.handler.ssl.SslContext;

/**
 * The server's TLS for {@link TransportCustomizer}: an SSL context whose key and trust managers the
 * server's wiring keeps current (see {@code wiring.SecretReloads}), or none for plaintext.
 *
 * @param sslContext the context, or {@code null} when TLS is off
 * @param description what is loaded (file names, client auth), for the startup line
 */
public record ServerTls(@Nullable SslContext sslContext, String description) {
  /** Plaintext. */
  public static final ServerTls OFF = new ServerTls(null, "off");

  public boolean enabled() {
    return sslContext != null;
  }
}
