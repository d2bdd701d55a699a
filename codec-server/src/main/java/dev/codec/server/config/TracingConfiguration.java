package dev.codec.server.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.core.bind.annotation.Bindable;
import java.net.URI;
import java.time.Duration;

/**
 * OpenTelemetry tracing: {@code codec.tracing.*} (env {@code CODEC_TRACING_ENABLED}, {@code
 * CODEC_TRACING_ENDPOINT}, ...). Off by default; when off, no tracing class is loaded. See
 * docs/observability.md.
 *
 * @param enabled export a span per RPC
 * @param endpoint the collector's OTLP HTTP/protobuf traces URL (http or https)
 * @param sampleRatio share of traces sampled (0 to 1), by trace id; a caller's {@code traceparent}
 *     marked not sampled is honoured, one marked sampled cannot raise the ratio
 * @param exportTimeout how long one export to the collector may take; also bounds the flush at
 *     shutdown
 * @param maxQueueSize finished spans waiting for export; more are dropped, never buffered without
 *     bound
 * @param serviceName the {@code service.name} resource attribute of every span
 */
@ConfigurationProperties("codec.tracing")
public record TracingConfiguration(
    @Bindable(defaultValue = "false") boolean enabled,
    @Bindable(defaultValue = "http://localhost:4318/v1/traces") String endpoint,
    @Bindable(defaultValue = "1.0") double sampleRatio,
    @Bindable(defaultValue = "10s") Duration exportTimeout,
    @Bindable(defaultValue = "2048") int maxQueueSize,
    @Bindable(defaultValue = "codec") String serviceName) {

  /**
   * The endpoint as a URI; refuses anything but an absolute http(s) URL, and out-of-range numbers.
   */
  public URI validatedEndpoint() {
    URI uri;
    try {
      uri = URI.create(endpoint == null ? "" : endpoint.trim());
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException("codec.tracing.endpoint is not a URL");
    }
    if (uri.getRawUserInfo() != null) {
      throw new ConfigurationException(
          "codec.tracing.endpoint must not carry credentials (user:password@)");
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
        || uri.getHost() == null) {
      throw new ConfigurationException(
          "codec.tracing.endpoint must be an http:// or https:// URL with a host,"
              + " like http://otel-collector:4318/v1/traces");
    }
    if (!(sampleRatio >= 0 && sampleRatio <= 1)) {
      throw new ConfigurationException(
          "codec.tracing.sample-ratio must be between 0 and 1, got " + sampleRatio);
    }
    if (maxQueueSize < 1
        || exportTimeout == null
        || exportTimeout.isNegative()
        || exportTimeout.isZero()) {
      throw new ConfigurationException(
          "codec.tracing.max-queue-size must be at least 1 and"
              + " codec.tracing.export-timeout positive");
    }
    return uri;
  }
}
