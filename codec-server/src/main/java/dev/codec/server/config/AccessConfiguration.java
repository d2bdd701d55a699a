package dev.codec.server.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * Access and integrity settings: deployment grants ({@code codec.grants.*}), input formats ({@code
 * codec.formats.*}) and revision seals ({@code codec.seals.*}). See docs/grants.md.
 */
public final class AccessConfiguration {
  private AccessConfiguration() {}

  /**
   * {@code codec.grants.*}.
   *
   * @param required whether decrypting needs a deployment grant (env {@code
   *     CODEC_GRANTS_REQUIRED}). Default false in the server, so that existing runners keep working
   *     until the control API stores grants; the Helm chart defaults to true. A grant that is given
   *     is verified either way.
   * @param maxTtl the longest grant IssueGrant issues. Default 24h.
   * @param clockSkew how far the issuing and verifying clocks may differ. Default 30s.
   */
  @ConfigurationProperties("codec.grants")
  public record Grants(
      @Bindable(defaultValue = "false") boolean required,
      @Bindable(defaultValue = "24h") Duration maxTtl,
      @Bindable(defaultValue = "30s") Duration clockSkew) {}

  /**
   * {@code codec.formats.*}.
   *
   * @param acceptEnc1 whether "enc1:" values (bound to the project only, not to the variable name)
   *     are read (env {@code CODEC_FORMATS_ACCEPT_ENC1}). Default true; turn it off once {@code
   *     codec_values_decrypted_total{format="enc1"}} stays flat. RotateDek reads enc1 either way.
   */
  @ConfigurationProperties("codec.formats")
  public record Formats(@Bindable(defaultValue = "true") boolean acceptEnc1) {}

  /**
   * {@code codec.seals.*}.
   *
   * @param required whether DecryptAll refuses a variable set without a seal (env {@code
   *     CODEC_SEALS_REQUIRED}). Default false; a seal that is given is verified either way.
   */
  @ConfigurationProperties("codec.seals")
  public record Seals(@Bindable(defaultValue = "false") boolean required) {}
}
