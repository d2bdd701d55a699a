package dev.codec.server.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * The audit log: {@code codec.audit.*}. The line schema is in {@code docs/audit.md}.
 *
 * @param refusedSummaryInterval how long refused calls (unauthenticated or denied) are counted
 *     before one {@code refused-summary} line per peer and reason is written (env
 *     CODEC_AUDIT_REFUSED_SUMMARY_INTERVAL). Default 10s; must be positive.
 */
@ConfigurationProperties("codec.audit")
public record AuditConfiguration(@Bindable(defaultValue = "10s") Duration refusedSummaryInterval) {
  public AuditConfiguration {
    if (refusedSummaryInterval.isNegative() || refusedSummaryInterval.isZero()) {
      throw new IllegalArgumentException("codec.audit.refused-summary-interval must be positive");
    }
  }
}
