package dev.codec.server.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * Graceful shutdown: {@code codec.shutdown.*}.
 *
 * @param grace how long in-flight calls may run after SIGTERM before they are cancelled (env {@code
 *     CODEC_SHUTDOWN_GRACE}). Default 20s; keep the pod's terminationGracePeriodSeconds above it.
 */
@ConfigurationProperties("codec.shutdown")
public record ShutdownConfiguration(@Bindable(defaultValue = "20s") Duration grace) {}
