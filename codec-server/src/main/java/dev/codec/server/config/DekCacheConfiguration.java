package dev.codec.server.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * The unwrapped-DEK cache: {@code codec.dek-cache.*}.
 *
 * @param ttl how long an unwrapped DEK is kept after it was unwrapped (expire after write). Default
 *     5m.
 * @param maxSize most DEKs kept at once. Default 10000.
 */
@ConfigurationProperties("codec.dek-cache")
public record DekCacheConfiguration(
    @Bindable(defaultValue = "5m") Duration ttl, @Bindable(defaultValue = "10000") long maxSize) {}
