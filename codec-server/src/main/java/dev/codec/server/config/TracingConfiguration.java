package dev.codec.server.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.exceptions.ConfigurationException;
import java.net.URI;
import java.time.Duration;

/**
 * OpenTelemetry tracing: {@code codec.tracing.*} (env {@code CODEC_TRACING_ENABLED}, {@code CODEC_TRACING_ENDPOINT},
 * ...). Off by default; when off, no tracing class is loaded. See docs/observability.md.
 */
@ConfigurationProperties("codec.tracing")
public class TracingConfiguration {
    private boolean enabled;
    private String endpoint = "http://localhost:4318/v1/traces";
    private double sampleRatio = 1.0;
    private Duration exportTimeout = Duration.ofSeconds(10);
    private int maxQueueSize = 2048;
    private String serviceName = "codec";

    /** Export a span per RPC. Default false. */
    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** The collector's OTLP HTTP/protobuf traces URL (http or https), default {@code http://localhost:4318/v1/traces}. */
    public String getEndpoint() {
        return endpoint;
    }

    public void setEndpoint(String endpoint) {
        this.endpoint = endpoint;
    }

    /**
     * Share of new traces sampled (0 to 1, default 1) when the caller sent no trace context; a call whose caller
     * sent a {@code traceparent} follows the caller's sampling decision.
     */
    public double getSampleRatio() {
        return sampleRatio;
    }

    public void setSampleRatio(double sampleRatio) {
        this.sampleRatio = sampleRatio;
    }

    /** How long one export to the collector may take (default 10s); also bounds the flush at shutdown. */
    public Duration getExportTimeout() {
        return exportTimeout;
    }

    public void setExportTimeout(Duration exportTimeout) {
        this.exportTimeout = exportTimeout;
    }

    /** Finished spans waiting for export (default 2048); more are dropped, never buffered without bound. */
    public int getMaxQueueSize() {
        return maxQueueSize;
    }

    public void setMaxQueueSize(int maxQueueSize) {
        this.maxQueueSize = maxQueueSize;
    }

    /** The {@code service.name} resource attribute of every span (default {@code codec}). */
    public String getServiceName() {
        return serviceName;
    }

    public void setServiceName(String serviceName) {
        this.serviceName = serviceName;
    }

    /** The endpoint as a URI; refuses anything but an absolute http(s) URL, and out-of-range numbers. */
    public URI validatedEndpoint() {
        URI uri;
        try {
            uri = URI.create(endpoint == null ? "" : endpoint.trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("codec.tracing.endpoint is not a URL");
        }
        if (uri.getRawUserInfo() != null) {
            throw new ConfigurationException("codec.tracing.endpoint must not carry credentials (user:password@)");
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new ConfigurationException("codec.tracing.endpoint must be an http:// or https:// URL with a host,"
                    + " like http://otel-collector:4318/v1/traces");
        }
        if (!(sampleRatio >= 0 && sampleRatio <= 1)) {
            throw new ConfigurationException("codec.tracing.sample-ratio must be between 0 and 1, got " + sampleRatio);
        }
        if (maxQueueSize < 1 || exportTimeout == null || exportTimeout.isNegative() || exportTimeout.isZero()) {
            throw new ConfigurationException("codec.tracing.max-queue-size must be at least 1 and"
                    + " codec.tracing.export-timeout positive");
        }
        return uri;
    }

    @Override
    public String toString() {
        return "TracingConfiguration[enabled=" + enabled + ", endpoint=" + endpoint + ", sampleRatio=" + sampleRatio
                + ", exportTimeout=" + exportTimeout + ", maxQueueSize=" + maxQueueSize + ", serviceName="
                + serviceName + "]";
    }
}
