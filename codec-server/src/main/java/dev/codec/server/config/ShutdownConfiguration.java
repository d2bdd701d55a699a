package dev.codec.server.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;

/** Graceful shutdown: {@code codec.shutdown.*} (env {@code CODEC_SHUTDOWN_GRACE}). */
@ConfigurationProperties("codec.shutdown")
public class ShutdownConfiguration {
    private Duration grace = Duration.ofSeconds(20);

    /**
     * How long in-flight calls may run after SIGTERM before they are cancelled. Default 20s; keep the
     * pod's terminationGracePeriodSeconds above it.
     */
    public Duration getGrace() {
        return grace;
    }

    public void setGrace(Duration grace) {
        this.grace = grace;
    }

    @Override
    public String toString() {
        return "ShutdownConfiguration[grace=" + grace + "]";
    }
}
