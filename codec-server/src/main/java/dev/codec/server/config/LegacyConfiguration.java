package dev.codec.server.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * Input in the legacy format of the earlier Node codec: {@code codec.legacy.*}. Turn it on only
 * while migrating (legacy ciphertexts are not bound to their project).
 *
 * @param accept whether legacy wrapped DEKs and values are accepted as input (env {@code
 *     CODEC_LEGACY_ACCEPT}). Default false. They are never produced either way.
 */
@ConfigurationProperties("codec.legacy")
public record LegacyConfiguration(@Bindable(defaultValue = "false") boolean accept) {}
