package dev.codec.server.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * Input limits: {@code codec.limits.*} (core's {@code Limits.DEFAULTS} holds the same numbers; a
 * test keeps them equal).
 *
 * @param maxProjectIdLength longest project_id / deployment_id in characters. Default 128.
 * @param maxEntries most values or variables in one call. Default 10000.
 * @param maxValueBytes largest plaintext value in UTF-8 bytes. Default 65536.
 * @param maxNameLength longest variable name in characters. Default 256.
 */
@ConfigurationProperties("codec.limits")
public record LimitsConfiguration(
    @Bindable(defaultValue = "128") int maxProjectIdLength,
    @Bindable(defaultValue = "10000") int maxEntries,
    @Bindable(defaultValue = "65536") int maxValueBytes,
    @Bindable(defaultValue = "256") int maxNameLength) {}
