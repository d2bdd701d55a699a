package dev.codec.server.config;

import io.micronaut.context.annotation.EachProperty;
import io.micronaut.context.annotation.Parameter;
import io.micronaut.core.annotation.Nullable;
import java.util.List;

/**
 * One caller: {@code codec.auth.callers.<name>.*}. A caller without certificate names is reachable
 * by token only: its name is never taken as a certificate identity (with a shared issuer, any
 * workload holding a certificate for that name would become the caller).
 *
 * @param name the caller's name (the key under {@code codec.auth.callers})
 * @param permissions permission names: encrypt, decrypt, export-dek, rotate, grant. Default none.
 * @param certificateNames certificate identities (SAN DNS/URI or CN) that authenticate as this
 *     caller over mTLS. Default none: token only.
 */
@EachProperty("codec.auth.callers")
public record CallerConfiguration(
    @Parameter String name,
    @Nullable List<String> permissions,
    @Nullable List<String> certificateNames) {
  public CallerConfiguration {
    permissions = permissions == null ? List.of() : List.copyOf(permissions);
    certificateNames = certificateNames == null ? List.of() : List.copyOf(certificateNames);
  }
}
