package dev.codec.server.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;

/** The unwrapped-DEK cache: {@code codec.dek-cache.*}. */
@ConfigurationProperties("codec.dek-cache")
public class DekCacheConfiguration {
    private Duration ttl = Duration.ofMinutes(5);
    private long maxSize = 10_000;

    /** How long an unwrapped DEK is kept after it was unwrapped (expire after write). Default 5m. */
    public Duration getTtl() {
        return ttl;
    }

    public void setTtl(Duration ttl) {
        this.ttl = ttl;
    }

    /** Most DEKs kept at once. Default 10000. */
    public long getMaxSize() {
        return maxSize;
    }

    public void setMaxSize(long maxSize) {
        this.maxSize = maxSize;
    }

    @Override
    public String toString() {
        return "DekCacheConfiguration[ttl=" + ttl + ", maxSize=" + maxSize + "]";
    }
}
