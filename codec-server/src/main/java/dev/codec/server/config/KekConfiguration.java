package dev.codec.server.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import java.time.Duration;

/**
 * Where the KEKs come from: {@code codec.kek.*} (env {@code CODEC_KEK_DIR}, {@code CODEC_KEK_ACTIVE}).
 * The environment variable {@code CODEC_KEK} (base64, version 1), when set, takes the place of the
 * directory for local runs.
 */
@ConfigurationProperties("codec.kek")
public class KekConfiguration {
    public static final String DEFAULT_DIR = "/var/run/secrets/codec/kek";

    private String dir = DEFAULT_DIR;
    @Nullable
    private Integer active;
    private Duration reloadInterval = Duration.ofSeconds(10);

    /** Directory with one file per KEK version (a mounted Kubernetes Secret). */
    public String getDir() {
        return dir;
    }

    public void setDir(String dir) {
        this.dir = dir;
    }

    /** The KEK version that wraps new DEKs; {@code null} for the highest loaded. */
    @Nullable
    public Integer getActive() {
        return active;
    }

    public void setActive(@Nullable Integer active) {
        this.active = active;
    }

    /**
     * How often the KEK directory is re-read while running ({@code codec.kek.reload-interval}, env
     * {@code CODEC_KEK_RELOAD_INTERVAL}). Default 10s; {@code 0s} turns reloading off.
     */
    public Duration getReloadInterval() {
        return reloadInterval;
    }

    public void setReloadInterval(Duration reloadInterval) {
        this.reloadInterval = reloadInterval;
    }

    @Override
    public String toString() {
        return "KekConfiguration[dir=" + dir + ", active=" + active + ", reloadInterval=" + reloadInterval + "]";
    }
}
