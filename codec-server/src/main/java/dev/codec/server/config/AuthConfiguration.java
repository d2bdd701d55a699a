package dev.codec.server.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;

/**
 * Caller authentication: {@code codec.auth.*}. Permissions per caller are in
 * {@link CallerConfiguration} ({@code codec.auth.callers.<name>.*}).
 */
@ConfigurationProperties("codec.auth")
public class AuthConfiguration {
    private boolean enabled = true;
    private String tokensDir = "/var/run/secrets/codec/callers";
    private Duration reloadInterval = Duration.ofSeconds(10);

    /** Whether callers must authenticate (env CODEC_AUTH_ENABLED). Off only for local development. */
    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** Directory of caller tokens: file name = caller, content = token (env CODEC_AUTH_TOKENS_DIR). */
    public String getTokensDir() {
        return tokensDir;
    }

    public void setTokensDir(String tokensDir) {
        this.tokensDir = tokensDir;
    }

    /** How often the token directory is re-read (token rotation). Default 10s. */
    public Duration getReloadInterval() {
        return reloadInterval;
    }

    public void setReloadInterval(Duration reloadInterval) {
        this.reloadInterval = reloadInterval;
    }

    @Override
    public String toString() {
        return "AuthConfiguration[enabled=" + enabled + ", tokensDir=" + tokensDir + ", reloadInterval="
                + reloadInterval + "]";
    }
}
