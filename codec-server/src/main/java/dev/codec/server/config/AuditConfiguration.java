package dev.codec.server.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;

/** The audit log: {@code codec.audit.*}. The line schema is in {@code docs/audit.md}. */
@ConfigurationProperties("codec.audit")
public class AuditConfiguration {
    private Duration refusedSummaryInterval = Duration.ofSeconds(10);

    /**
     * How long refused calls (unauthenticated or denied) are counted before one {@code refused-summary}
     * line per peer and reason is written (env CODEC_AUDIT_REFUSED_SUMMARY_INTERVAL). Default 10s.
     */
    public Duration getRefusedSummaryInterval() {
        return refusedSummaryInterval;
    }

    public void setRefusedSummaryInterval(Duration refusedSummaryInterval) {
        if (refusedSummaryInterval.isNegative() || refusedSummaryInterval.isZero()) {
            throw new IllegalArgumentException("codec.audit.refused-summary-interval must be positive");
        }
        this.refusedSummaryInterval = refusedSummaryInterval;
    }

    @Override
    public String toString() {
        return "AuditConfiguration[refusedSummaryInterval=" + refusedSummaryInterval + "]";
    }
}
