package dev.codec.server.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * Where the KEKs come from: {@code codec.kek.*} (env {@code CODEC_KEK_DIR}, {@code
 * CODEC_KEK_ACTIVE}). The environment variable {@code CODEC_KEK} (base64, version 1), when set,
 * takes the place of the directory for local runs.
 *
 * @param dir directory with one file per KEK version (a mounted Kubernetes Secret)
 * @param active the KEK version that wraps new DEKs; {@code null} (the default) for the highest
 *     loaded
 * @param reloadInterval how often the KEK directory is re-read while running (env {@code
 *     CODEC_KEK_RELOAD_INTERVAL}). Default 10s; {@code 0s}: read once at startup, never again.
 */
@ConfigurationProperties("codec.kek")
public record KekConfiguration(
    @Bindable(defaultValue = DEFAULT_DIR) String dir,
    @Nullable Integer active,
    @Bindable(defaultValue = "10s") Duration reloadInterval) {
  public static final String DEFAULT_DIR = "/var/run/secrets/codec/kek";
}
