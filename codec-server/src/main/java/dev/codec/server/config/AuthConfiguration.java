package dev.codec.server.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * Caller authentication: {@code codec.auth.*}. Permissions per caller are in {@link
 * CallerConfiguration} ({@code codec.auth.callers.<name>.*}).
 *
 * @param enabled whether callers must authenticate (env CODEC_AUTH_ENABLED). Off only for local
 *     development.
 * @param tokensDir directory of caller tokens: file name = caller, content = token (env
 *     CODEC_AUTH_TOKENS_DIR)
 * @param reloadInterval how often the token directory is re-read (token rotation). Default 10s;
 *     {@code 0s}: read once at startup, never again (the rule of every file-backed secret, see
 *     SecretReloads).
 */
@ConfigurationProperties("codec.auth")
public record AuthConfiguration(
    @Bindable(defaultValue = "true") boolean enabled,
    @Bindable(defaultValue = "/var/run/secrets/codec/callers") String tokensDir,
    @Bindable(defaultValue = "10s") Duration reloadInterval) {}
