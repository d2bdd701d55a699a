package dev.codec.server.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * The management HTTP server ({@code GET /health}, {@code GET /metrics}): {@code
 * codec.management.*}. docs/limits.md explains the budgets these defaults add up to.
 *
 * @param port the plain-HTTP port (env {@code CODEC_MANAGEMENT_PORT}). Default 8081; {@code 0}: a
 *     random free port (logged in the {@code codec serving} line); {@code -1}: no management
 *     server.
 * @param bindAddress the local address to listen on (env {@code CODEC_MANAGEMENT_BIND_ADDRESS}),
 *     e.g. {@code 127.0.0.1}. Unset (the default): every interface, IPv4 and IPv6.
 * @param maxConnections open management connections in total; more are closed at once without an
 *     answer. Default 32.
 * @param maxConnectionsPerPeer open management connections from one peer IP address; more are
 *     closed at once. Default 8.
 * @param maxHeaderSize largest request line, and largest header block, in bytes (larger: 431 or
 *     414, and the connection is closed). Default 8192.
 * @param requestTimeout a connection is closed this long after it opened, whatever it is doing: the
 *     request must arrive and the response be taken within it (one request per connection). Default
 *     5s.
 */
@ConfigurationProperties("codec.management")
public record ManagementConfiguration(
    @Bindable(defaultValue = "8081") int port,
    @Nullable String bindAddress,
    @Bindable(defaultValue = "32") int maxConnections,
    @Bindable(defaultValue = "8") int maxConnectionsPerPeer,
    @Bindable(defaultValue = "8192") int maxHeaderSize,
    @Bindable(defaultValue = "5s") Duration requestTimeout) {

  /** The value of {@link #port} that turns the management server off. */
  public static final int OFF = -1;

  public ManagementConfiguration {
    if (port < OFF || port > 65535) {
      throw new ConfigurationException(
          "codec.management.port must be -1 (off), 0 (a random port) or a port up to 65535");
    }
    if (bindAddress != null && bindAddress.isBlank()) {
      bindAddress = null;
    }
    if (maxConnections < 1 || maxConnectionsPerPeer < 1) {
      throw new ConfigurationException(
          "codec.management.max-connections and max-connections-per-peer must be at least 1");
    }
    if (maxHeaderSize < 256 || maxHeaderSize > 65536) {
      throw new ConfigurationException(
          "codec.management.max-header-size must be between 256 and 65536 bytes");
    }
    if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new ConfigurationException("codec.management.request-timeout must be positive");
    }
  }

  /** True unless {@link #port} is {@link #OFF}. */
  public boolean enabled() {
    return port != OFF;
  }
}
