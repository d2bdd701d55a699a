package dev.codec.server.config;

import io.micronaut.context.annotation.ConfigurationProperties;

/**
 * Input in the legacy format of the earlier Node codec: {@code codec.legacy.*}. Turn it on only while
 * migrating (legacy ciphertexts are not bound to their project).
 */
@ConfigurationProperties("codec.legacy")
public class LegacyConfiguration {
    private boolean accept;

    /**
     * Whether legacy wrapped DEKs and values are accepted as input ({@code codec.legacy.accept}, env
     * {@code CODEC_LEGACY_ACCEPT}). Default false. They are never produced either way.
     */
    public boolean isAccept() {
        return accept;
    }

    public void setAccept(boolean accept) {
        this.accept = accept;
    }

    @Override
    public String toString() {
        return "LegacyConfiguration[accept=" + accept + "]";
    }
}
